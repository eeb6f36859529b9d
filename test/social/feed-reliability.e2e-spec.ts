import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
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
import {
  awaitSocialSettled,
  checkSocialInvariants,
  type FeedPage,
} from '../../libs/testing/social-invariants.js';
import {
  dropSocialKeys,
  feedsHolding,
  seedFollows,
  seedUsers,
  warmFeeds,
} from '../../libs/testing/social-seed.js';
import { feedHorizonKey } from '../../src/social/feed/feed-keys.js';

/**
 * Issue #12, the feed's reliability: the built server as a child process on private PostgreSQL
 * and Redis (fault lab), so it can be SIGKILLed and its Redis keys dropped without touching the
 * files running beside this one.
 *
 * 1. A post by an author with 10,000 followers; the process is frozen (SIGSTOP) as soon as
 *    fan-out has written some followers' feeds, the partial state is counted, and the process
 *    is SIGKILLed — mid fan-out, no cleanup. A restart finishes the fan-out: every follower's
 *    feed holds the post exactly once.
 * 2. Every `social:` key deleted (Redis lost): the next reads rebuild the feeds from
 *    PostgreSQL, page for page the same as before.
 */
const FOLLOWERS = 10_000;
/** Followers who register and follow over HTTP (their feeds are also read through the API). */
const SAMPLE = 4;
/**
 * How long the restarted process may take to finish: the jobs the killed worker was running are
 * re-run once their BullMQ lock lapses and a stalled check sees it — up to about a minute with
 * BullMQ's defaults (30 s lock, 30 s checks), seconds with the short ones set in `env` below
 * once the fan-out worker takes them from SOCIAL_FANOUT_LOCK_MS / SOCIAL_FANOUT_STALLED_CHECK_MS.
 */
const RECOVERY_MS = 30_000;
const PREFIX = `feedrel:${randomBytes(4).toString('hex')}:`;

let pgServer: PrivateServer;
let redisServer: PrivateServer;
let redis: Redis;
let db: pg.Client;
let server: ServerProcess;
let env: Record<string, string> & { DATABASE_URL: string; REDIS_URL: string };

const q = async (text: string, params: unknown[] = []) => (await db.query(text, params)).rows;

beforeAll(async () => {
  buildServer();
  [pgServer, redisServer] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
  redis = new Redis(redisServer.url);
  env = {
    DATABASE_URL: pgServer.url,
    REDIS_URL: redisServer.url,
    REDIS_PREFIX: PREFIX,
    RATE_LIMIT_PER_MINUTE: '1000000',
    OUTBOX_POLL_INTERVAL_MS: '100',
    INBOX_LEASE_MS: '1000',
    INBOX_RETRY_BASE_MS: '100',
    // Above the followers: the author stays a regular author (fan-out on write).
    SOCIAL_CELEBRITY_THRESHOLD: '20000',
    // Small chunks, so a 10,000-follower fan-out is a hundred jobs and can be caught midway.
    SOCIAL_FANOUT_CHUNK: '100',
    SOCIAL_FEED_MAX: '20',
    // A killed worker's job is handed on within seconds, not BullMQ's 30 s default.
    SOCIAL_FANOUT_LOCK_MS: '2000',
    SOCIAL_FANOUT_STALLED_CHECK_MS: '500',
  };
  server = await startServer(env);
  db = new pg.Client({ connectionString: pgServer.url });
  await db.connect();
}, 120_000);

afterAll(async () => {
  if (server && !server.hasExited) server.kill('SIGCONT');
  redis?.disconnect();
  await db?.end();
  await destroyFaultLab();
});

type User = { id: string; token: string; handle: string };

/** A request to the server; anything but 2xx throws with the answer. */
async function call(method: string, path: string, body?: unknown, token?: string) {
  const headers = new Headers();
  if (token) headers.set('authorization', `Bearer ${token}`);
  if (body !== undefined) headers.set('content-type', 'application/json');
  const init = { method, headers, signal: AbortSignal.timeout(15_000) };
  const res = await fetch(
    server.url + path,
    body === undefined ? init : { ...init, body: JSON.stringify(body) },
  );
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Polls until `holds` is true; else fails with what the server logged. */
const waitFor = (what: string, timeout: number, holds: () => Promise<boolean>) =>
  eventually(
    async () => {
      if (!(await holds()))
        throw new Error(`${what}: not within ${timeout} ms\n${server.output().slice(-4000)}`);
    },
    { timeout, interval: 5 },
  );

/** Registers, logs in and waits for the social profile. */
async function register(name: string): Promise<User> {
  const email = `${name}-${randomBytes(4).toString('hex')}@example.com`;
  const password = 'a-long-enough-password-1';
  const account = { email, password, displayName: name };
  const { id } = await call('POST', '/v1/identity/register', account);
  const { accessToken } = await call('POST', '/v1/identity/login', { email, password });
  // 404 until identity's event has made the profile.
  const me = await eventually(() => call('GET', '/v1/social/profiles/me', undefined, accessToken), {
    timeout: 15_000,
  });
  return { id, token: accessToken, handle: me.handle };
}

const readFeed = (token: string, limit: number, cursor?: string): Promise<FeedPage> => {
  const after = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
  return call('GET', `/v1/social/feed?limit=${limit}${after}`, undefined, token);
};

const checks = (more: Partial<Parameters<typeof checkSocialInvariants>[0]>) =>
  checkSocialInvariants({
    databaseUrl: pgServer.url,
    redis,
    redisPrefix: PREFIX,
    readFeed,
    settleMs: 30_000,
    ...more,
  });

const holding = (postId: string, userIds: string[]) => feedsHolding(redis, PREFIX, postId, userIds);

it('finishes a fan-out to 10,000 followers after a SIGKILL midway: each feed holds the post once', async () => {
  const author = await register('author');
  const sample = await Promise.all(Array.from({ length: SAMPLE }, (_, i) => register(`s${i}`)));
  for (const s of sample)
    await call('PUT', `/v1/social/profiles/${author.handle}/follow`, {}, s.token);
  // The rest straight into the tables, active readers whose (empty) feeds were read before.
  const seeded = await seedUsers(q, FOLLOWERS - SAMPLE, { tag: 'rel' });
  await seedFollows(q, seeded, [author.id]);
  await warmFeeds(redis, PREFIX, seeded, feedHorizonKey);
  for (const u of [author, ...sample]) await readFeed(u.token, 20);
  const followers = [...sample.map((s) => s.id), ...seeded];
  // The author's own feed too (written by the consumer, before any fan-out job).
  const feeds = [author.id, ...followers];
  expect(
    (await q(`SELECT followers_count FROM social.profiles WHERE user_id = $1`, [author.id]))[0],
  ).toEqual({ followers_count: FOLLOWERS });

  const postedAt = Date.now();
  const post = await call('POST', '/v1/social/posts', { text: 'to ten thousand' }, author.token);
  // Frozen as soon as a probe of 200 followers' feeds sees the first fan-out deliveries, then
  // counted, then killed: jobs were running, some chunks written, others still queued.
  const probe = Array.from(
    { length: 200 },
    (_, i) => followers[Math.floor((i * followers.length) / 200)]!,
  );
  await waitFor('the first deliveries', 20_000, async () => (await holding(post.id, probe)) > 0);
  server.kill('SIGSTOP');
  const atKill = await holding(post.id, followers);
  server.kill('SIGKILL');
  await server.exited;
  const killedMs = Date.now() - postedAt;
  expect(atKill).toBeGreaterThan(0);
  expect(atKill).toBeLessThan(followers.length);

  const restartedAt = Date.now();
  server = await startServer({ ...env, MIGRATIONS_RUN: 'false' });
  await waitFor(
    'every feed holds the post',
    RECOVERY_MS,
    async () => (await holding(post.id, feeds)) === feeds.length,
  );
  const recoveredMs = Date.now() - restartedAt;
  expect(
    await awaitSocialSettled({
      databaseUrl: pgServer.url,
      redis,
      redisPrefix: PREFIX,
      readFeed,
      settleMs: RECOVERY_MS,
    }),
  ).toEqual([]);

  // Exactly once: each follower's feed holds this one post and nothing else (a sorted set
  // cannot hold a member twice, so a second copy would have to be another member).
  const pipe = redis.pipeline();
  for (const id of feeds) pipe.zcard(`${PREFIX}social:feed:${id}`);
  const sizes = ((await pipe.exec()) ?? []).map(([, n]) => n);
  expect(sizes.filter((n) => n !== 1)).toEqual([]);
  // And as readers see it, through the API: once, and the feed equals the oracle.
  for (const u of sample) {
    const page = await readFeed(u.token, 20);
    expect(page.items.filter((i) => i.id === post.id)).toHaveLength(1);
  }
  expect(
    await checks({
      readers: [author, ...sample],
      pushed: { postIds: [post.id], followerIds: feeds },
    }),
  ).toEqual([]);
  console.info(
    `feed reliability: SIGKILL ${killedMs} ms after the post with ${atKill} of ${followers.length} followers' feeds written; ` +
      `restarted and complete ${recoveredMs} ms later`,
  );
}, 110_000);

/** Every page of the reader's feed, `limit` items each. */
async function pages(token: string, limit: number): Promise<FeedPage[]> {
  const all: FeedPage[] = [];
  let cursor: string | undefined;
  do {
    const page = await readFeed(token, limit, cursor);
    all.push(page);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && all.length < 50);
  return all;
}

it('rebuilds feeds from PostgreSQL after Redis lost every social key: the same pages', async () => {
  const readers = await Promise.all([0, 1, 2].map((i) => register(`r${i}`)));
  const authors = await Promise.all([0, 1, 2].map((i) => register(`a${i}`)));
  for (const r of readers)
    for (const a of authors)
      await call('PUT', `/v1/social/profiles/${a.handle}/follow`, {}, r.token);
  await call('PUT', `/v1/social/profiles/${authors[2]!.handle}/mute`, {}, readers[0]!.token);
  await call('PUT', `/v1/social/profiles/${readers[1]!.handle}/block`, {}, authors[1]!.token);
  for (const r of readers) await readFeed(r.token, 20);
  // 36 posts: more than the 20 a pushed feed keeps, so the pages run on into PostgreSQL.
  await Promise.all(
    authors.map(async (a, i) => {
      for (let n = 0; n < 12; n++)
        await call('POST', '/v1/social/posts', { text: `post ${n} of author ${i}` }, a.token);
    }),
  );
  expect(await checks({ readers })).toEqual([]);
  const before = await Promise.all(readers.map((r) => pages(r.token, 7)));
  expect(before.map((p) => p.flatMap((x) => x.items).length)).toEqual([24, 24, 36]);

  // Never FLUSHALL: only this server's keys go.
  expect(await dropSocialKeys(redis, PREFIX)).toBeGreaterThan(readers.length);
  const after = await Promise.all(readers.map((r) => pages(r.token, 7)));
  expect(after).toEqual(before);
  // Rebuilt into Redis, not only answered from PostgreSQL.
  for (const r of readers)
    expect(await redis.zcard(`${PREFIX}social:feed:${r.id}`)).toBeGreaterThan(0);
  expect(await checks({ readers })).toEqual([]);

  // The checker can fail: a follow the counts do not know of, and a post no feed received.
  const stranger = uuidv7();
  await q(
    `INSERT INTO social.profiles (user_id, handle, handle_lower, display_name) VALUES ($1, $2, lower($2), 'Planted')`,
    [stranger, `planted${stranger.slice(-8)}`],
  );
  await q(`INSERT INTO social.follows (follower_id, followee_id, id) VALUES ($1, $2, $3)`, [
    readers[2]!.id,
    stranger,
    uuidv7(),
  ]);
  const planted = uuidv7();
  await q(
    `INSERT INTO social.posts (id, author_id, text, published_at) VALUES ($1, $2, 'planted', now())`,
    [planted, authors[0]!.id],
  );
  const broken = (await checks({ readers: [readers[2]!] })).join('\n');
  expect(broken).toMatch(new RegExp(`following_count: ${readers[2]!.id} stores 3, the rows say 4`));
  expect(broken).toMatch(new RegExp(`followers_count: ${stranger} stores 0, the rows say 1`));
  expect(broken).toMatch(new RegExp(`posts_count: ${authors[0]!.id} stores 12, the rows say 13`));
  expect(broken).toMatch(
    new RegExp(`feed of ${readers[2]!.id}: 1 of 37 eligible posts missing \\(${planted}\\)`),
  );
  await q(`DELETE FROM social.posts WHERE id = $1`, [planted]);
  await q(`DELETE FROM social.follows WHERE followee_id = $1`, [stranger]);
  expect(await checks({ readers: [readers[2]!] })).toEqual([]);
}, 45_000);
