import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { io, type Socket } from 'socket.io-client';
import { createTestDatabase, type TestDatabase } from '../../libs/testing/database.js';
import { eventually } from '../../libs/testing/eventually.js';
import {
  buildServer,
  destroyFaultLab,
  startServer,
  type ServerProcess,
} from '../../libs/testing/fault-lab.js';

/**
 * Issue #12, real time: socket.io at `/ws` on two built server processes sharing one database
 * and one REDIS_PREFIX. The handshake needs a valid access token; a user connected to B gets
 * what was caused through A (a follow's `notification`, a followee's post as `feed.item`), as the
 * Redis adapter and presence carry it across processes.
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `realtime:${randomBytes(5).toString('hex')}:`;
let database: TestDatabase;
let a: ServerProcess;
let b: ServerProcess;
let redis: Redis;
const sockets: Socket[] = [];

interface User {
  id: string;
  handle: string;
  accessToken: string;
  refreshToken: string;
}

async function call(
  server: ServerProcess,
  method: string,
  path: string,
  body?: object,
  token?: string,
) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Registers through A and waits for the social profile. */
async function newUser(name: string): Promise<User> {
  const email = `${name}-${randomBytes(4).toString('hex')}@example.com`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const reg = await call(a, 'POST', '/v1/identity/register', {
    email,
    password,
    displayName: name,
  });
  expect(reg.status, JSON.stringify(reg.body)).toBe(201);
  const login = await call(a, 'POST', '/v1/identity/login', { email, password });
  const tokens = login.body as { accessToken: string; refreshToken: string };
  const profile = await eventually(
    async () => {
      const me = await call(a, 'GET', '/v1/social/profiles/me', undefined, tokens.accessToken);
      expect(me.status).toBe(200);
      return me.body as { handle: string };
    },
    { timeout: 15_000 },
  );
  return { id: reg.body.id as string, handle: profile.handle, ...tokens };
}

/** A socket.io client on `server`; resolves when connected, rejects with the connect_error. */
function connect(server: ServerProcess, options: Parameters<typeof io>[1] = {}): Promise<Socket> {
  const socket = io(server.url, {
    path: '/ws',
    transports: ['websocket'],
    reconnection: false,
    timeout: 5_000,
    ...options,
  });
  sockets.push(socket);
  return new Promise((ok, fail) => {
    socket.once('connect', () => ok(socket));
    socket.once('connect_error', (err) => fail(err));
  });
}

const presence = (userId: string) => redis.zcard(`${PREFIX}platform:presence:${userId}`);

/** The next `event` on the socket whose data passes `match`. */
function next<T>(socket: Socket, event: string, match: (data: T) => boolean): Promise<T> {
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`no ${event} within 15 s`)), 15_000);
    socket.on(event, (data: T) => {
      if (!match(data)) return;
      clearTimeout(timer);
      ok(data);
    });
  });
}

beforeAll(async () => {
  buildServer();
  database = await createTestDatabase();
  const env = {
    DATABASE_URL: database.url,
    REDIS_URL,
    REDIS_PREFIX: PREFIX,
    MIGRATIONS_RUN: 'false',
  };
  [a, b] = await Promise.all([startServer(env), startServer(env)]);
  redis = new Redis(REDIS_URL);
}, 120_000);

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await destroyFaultLab();
  await database?.drop();
  if (redis) {
    const keys = await redis.keys(`${PREFIX}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  }
});

it('refuses a handshake without a valid access token, with the reason in connect_error', async () => {
  await expect(connect(b)).rejects.toThrow(/unauthorized: no access token/);
  await expect(connect(b, { auth: { token: 'not-a-jwt' } })).rejects.toThrow(
    /unauthorized: token invalid/,
  );
  // A token whose session ended (logout) is refused as well.
  const gone = await newUser('gone');
  const out = await call(a, 'POST', '/v1/identity/logout', { refreshToken: gone.refreshToken });
  expect(out.status).toBe(204);
  await expect(connect(b, { auth: { token: gone.accessToken } })).rejects.toThrow(
    /unauthorized: token revoked/,
  );
  expect(await presence(gone.id)).toBe(0);
  // The browser client is served beside it (README: a console on /docs imports it).
  const client = await fetch(`${b.url}/ws/socket.io.esm.min.js`);
  expect(client.status).toBe(200);
  expect(await client.text()).toContain('io');
}, 60_000);

it('ends an open socket once its session is revoked (logout), at the next presence refresh', async () => {
  const user = await newUser('leaver');
  const socket = await connect(b, { auth: { token: user.accessToken } });
  const ended = new Promise<{ reason: string }>((ok) => socket.once('session.ended', ok));
  const closed = new Promise<string>((ok) => socket.once('disconnect', ok));
  const out = await call(a, 'POST', '/v1/identity/logout', { refreshToken: user.refreshToken });
  expect(out.status).toBe(204);
  // The refresh runs every 20 s (PRESENCE_REFRESH_MS): within two of them the socket is gone.
  expect(await ended).toEqual({ reason: 'revoked' });
  expect(await closed).toBe('io server disconnect');
  await eventually(async () => expect(await presence(user.id)).toBe(0), { timeout: 5_000 });
}, 60_000);

it('pushes to a user connected to B what was caused through A: a notification, then a feed item', async () => {
  const [ann, bob] = await Promise.all([newUser('ann'), newUser('bob')]);
  // Bob reads his feed once (an active reader gets fan-out) and connects to B with a Bearer header.
  expect((await call(a, 'GET', '/v1/social/feed', undefined, bob.accessToken)).status).toBe(200);
  const onB = await connect(b, { extraHeaders: { authorization: `Bearer ${bob.accessToken}` } });
  await eventually(async () => expect(await presence(bob.id)).toBe(1));
  // Ann connects to A (auth in the handshake): she is told when Bob follows her through A.
  // (The notification is pushed by whichever process consumed the event.)
  const annOnA = await connect(a, { auth: { token: ann.accessToken } });
  await eventually(async () => expect(await presence(ann.id)).toBe(1));
  const followed = next<{ eventType: string; title: string }>(
    annOnA,
    'notification',
    (n) => n.eventType === 'social.user-followed',
  );
  const follow = await call(
    a,
    'PUT',
    `/v1/social/profiles/${ann.handle}/follow`,
    undefined,
    bob.accessToken,
  );
  expect(follow.status, JSON.stringify(follow.body)).toBe(200);
  expect((await followed).title).toBe('bob followed you');

  // Ann posts through A; Bob, her follower connected to B, gets it as feed.item.
  const item = next<{ postId: string; authorId: string }>(onB, 'feed.item', () => true);
  const post = await call(a, 'POST', '/v1/social/posts', { text: 'live from A' }, ann.accessToken);
  expect(post.status, JSON.stringify(post.body)).toBe(201);
  expect(await item).toEqual({ postId: post.body.id, authorId: ann.id });

  // Disconnecting removes the presence: nothing is pushed to an offline user.
  onB.disconnect();
  await eventually(async () => expect(await presence(bob.id)).toBe(0));
  expect(b.hasExited || a.hasExited).toBe(false);
}, 60_000);

it('closes its sockets and forgets their presence on a graceful shutdown (SIGTERM)', async () => {
  const cy = await newUser('cy');
  const socket = await connect(b, { auth: { token: cy.accessToken } });
  await eventually(async () => expect(await presence(cy.id)).toBe(1));
  const reason = new Promise<string>((ok) => socket.once('disconnect', ok));
  b.kill('SIGTERM');
  expect(await reason).toBe('io server disconnect');
  // Nest re-raises the signal once closed: a clean exit is SIGTERM or code 0, never an error code.
  const exit = await b.exited;
  expect(exit.code === 0 || exit.signal === 'SIGTERM', JSON.stringify(exit)).toBe(true);
  expect(await presence(cy.id)).toBe(0);
  // A is unaffected: still ready, and still refusing a handshake without a token.
  expect((await fetch(`${a.url}/health/ready`)).status).toBe(200);
  await expect(connect(a)).rejects.toThrow(/unauthorized/);
}, 60_000);
