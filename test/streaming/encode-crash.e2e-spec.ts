import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { eventually } from '../../libs/testing/eventually.js';
import {
  buildServer,
  destroyFaultLab,
  startPrivatePostgres,
  startPrivateRedis,
  startServer,
  type PrivateServer,
  type ServerProcess,
} from '../../libs/testing/fault-lab.js';
import { videoFixture } from '../../libs/testing/video-fixtures.js';

/**
 * The encode worker SIGKILLed mid-encode (ffmpeg running, a rendition ENCODING with progress):
 * the built server as a child process on private PostgreSQL and Redis, so killing it disturbs
 * no other file. A restarted server takes the job back once its BullMQ lock lapses (short lock
 * and stalled check below), encodes the rendition again into the same keys, and the video
 * becomes READY with every rung, `streaming.video-ready` published once.
 */
const PREFIX = `encodecrash:${randomBytes(4).toString('hex')}:`;

let pgServer: PrivateServer;
let redis: PrivateServer;
let db: pg.Client;
let server: ServerProcess;
let storageDir: string;
let env: Record<string, string> & { DATABASE_URL: string; REDIS_URL: string };

beforeAll(async () => {
  buildServer();
  [pgServer, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
  storageDir = mkdtempSync(join(tmpdir(), 'encode-crash-'));
  env = {
    DATABASE_URL: pgServer.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: PREFIX,
    STORAGE_LOCAL_DIR: storageDir,
    OUTBOX_POLL_INTERVAL_MS: '100',
    // One rendition at a time, so the kill lands while the others still wait.
    STREAMING_ENCODE_CONCURRENCY: '1',
    STREAMING_ENCODE_LOCK_MS: '3000',
    STREAMING_ENCODE_STALLED_CHECK_MS: '500',
  };
  server = await startServer(env);
  db = new pg.Client({ connectionString: pgServer.url });
  await db.connect();
}, 120_000);

afterAll(async () => {
  await db?.end();
  await destroyFaultLab();
  if (storageDir) rmSync(storageDir, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: BodyInit | object, token?: string) {
  const headers = new Headers();
  if (token) headers.set('authorization', `Bearer ${token}`);
  const json = body !== undefined && !(body instanceof FormData);
  if (json) headers.set('content-type', 'application/json');
  const res = await fetch(server.url + path, {
    method,
    headers,
    body: json ? JSON.stringify(body) : (body as BodyInit | undefined),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

const q = async (text: string, params: unknown[] = []) => (await db.query(text, params)).rows;

it('finishes a video whose worker was SIGKILLed mid-encode after a restart: READY, video-ready once', async () => {
  const email = `crash-${randomBytes(4).toString('hex')}@example.com`;
  const password = 'a-long-enough-password-1';
  await call('POST', '/v1/identity/register', { email, password, displayName: 'Crash' });
  const { accessToken } = await call('POST', '/v1/identity/login', { email, password });
  const video = await call(
    'POST',
    '/v1/streaming/videos',
    { title: 'Killed mid-encode' },
    accessToken,
  );
  const form = new FormData();
  form.append('file', new Blob([readFileSync(await videoFixture('p1080'))]), 'p1080.mp4');
  await call('POST', `/v1/streaming/videos/${video.id}/source`, form, accessToken);

  // Mid-encode: a rendition ENCODING with ffmpeg's progress recorded.
  await eventually(
    async () => {
      const [r] = await q(
        `SELECT name FROM streaming.renditions
          WHERE video_id = $1 AND state = 'ENCODING' AND percent > 0`,
        [video.id],
      );
      expect(r, server.output().slice(-2000)).toBeDefined();
    },
    { timeout: 60_000, interval: 20 },
  );
  server.kill('SIGKILL');
  await server.exited;
  const atKill = await q(
    `SELECT name, state, attempts FROM streaming.renditions WHERE video_id = $1 ORDER BY name`,
    [video.id],
  );
  expect(atKill.filter((r) => r.state === 'DONE')).toHaveLength(
    atKill.length - 1 - atKill.filter((r) => r.state === 'PENDING').length,
  );
  const killed = atKill.find((r) => r.state === 'ENCODING')!;
  expect(killed).toBeDefined();

  server = await startServer({ ...env, MIGRATIONS_RUN: 'false' });
  await eventually(
    async () => {
      const [v] = await q(`SELECT state FROM streaming.videos WHERE id = $1`, [video.id]);
      expect(v.state, server.output().slice(-2000)).toBe('READY');
    },
    { timeout: 120_000, interval: 200 },
  );
  // Settled: every outbox row dispatched, then counted.
  await eventually(
    async () => {
      const [{ n }] = await q(
        `SELECT count(*)::int AS n FROM platform.outbox WHERE dispatched_at IS NULL`,
      );
      expect(n).toBe(0);
    },
    { timeout: 30_000 },
  );
  const renditions = await q(
    `SELECT name, state, attempts FROM streaming.renditions WHERE video_id = $1 ORDER BY name`,
    [video.id],
  );
  expect(renditions.map((r) => [r.name, r.state])).toEqual([
    ['1080p', 'DONE'],
    ['480p', 'DONE'],
    ['720p', 'DONE'],
  ]);
  // The killed rendition ran once more; the others ran once (nothing redone).
  for (const r of renditions)
    expect(r.attempts).toBe(r.name === killed.name ? killed.attempts + 1 : 1);
  const [{ n }] = await q(
    `SELECT count(*)::int AS n FROM platform.outbox
      WHERE type = 'streaming.video-ready' AND payload->>'videoId' = $1`,
    [video.id],
  );
  expect(n).toBe(1);
  const master = await (
    await fetch(`${server.url}/v1/streaming/videos/${video.id}/playback`, {
      headers: { authorization: `Bearer ${accessToken}` },
    })
  ).json();
  const playlist = await fetch(new URL(master.url, server.url));
  expect(playlist.status).toBe(200);
  expect((await playlist.text()).match(/#EXT-X-STREAM-INF/g)).toHaveLength(3);
}, 240_000);
