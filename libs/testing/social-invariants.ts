/**
 * The social invariants a bench scenario or a fault test ends with, read from PostgreSQL and
 * Redis directly and through the feed API as a reader sees it:
 *
 * - settled: every outbox row dispatched, every delivery done, no social BullMQ job left to run;
 * - feeds: each reader's feed, read through `GET /v1/social/feed` page by page, is the oracle
 *   computed from the database (published, not deleted, not a comment, by the reader or a
 *   followee, not muted, no block either way; newest first) — every eligible post exactly once,
 *   nothing else, in order; and never a post of an author the reader muted or is blocked with;
 * - fan-out: each listed post is in the pushed feed (`social:feed:{id}`) of each listed follower;
 * - counts: followers, following and posts of every profile, likes, comments and shares of
 *   every post equal the rows they count.
 *
 * Plain pg and ioredis (no test runner): `npm run bench` imports it too.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import pg from 'pg';

export interface FeedPage {
  items: { id: string; author: { userId: string } }[];
  nextCursor: string | null;
}

export interface SocialInvariantOptions {
  databaseUrl: string;
  /** A client on the app's Redis, without a key prefix. */
  redis: Redis;
  /** The app's REDIS_PREFIX. */
  redisPrefix: string;
  /** `GET /v1/social/feed?limit=…&cursor=…` as the reader whose token this is. */
  readFeed: (token: string, limit: number, cursor?: string) => Promise<FeedPage>;
  /** Readers whose whole feed (up to `maxItems`) is compared with the oracle. */
  readers?: { id: string; token: string }[];
  /** Posts that must be in the pushed feed of every one of these followers. */
  pushed?: { postIds: string[]; followerIds: string[] };
  /** Items of each reader's feed compared (default 400). */
  maxItems?: number;
  /** Page size of the walk (default 50). */
  pageSize?: number;
  /** How long to wait for the work to settle first (default 60 s). */
  settleMs?: number;
}

/** Problems listed per check, at most this many. */
const SHOWN = 5;

/** The eligibility rule of the feed (the oracle), newest first: `$1` = reader, `$2` = limit. */
export const FEED_ORACLE = `
  SELECT p.id FROM social.posts p
   WHERE p.status = 'published' AND p.deleted_at IS NULL AND p.reply_to_id IS NULL
     AND (p.author_id = $1 OR EXISTS (SELECT 1 FROM social.follows f
                                       WHERE f.follower_id = $1 AND f.followee_id = p.author_id))
     AND NOT EXISTS (SELECT 1 FROM social.mutes m WHERE m.muter_id = $1 AND m.muted_id = p.author_id)
     AND NOT EXISTS (SELECT 1 FROM social.blocks b
                      WHERE (b.blocker_id = $1 AND b.blocked_id = p.author_id)
                         OR (b.blocker_id = p.author_id AND b.blocked_id = $1))
     AND (p.share_of_id IS NULL OR EXISTS (
           SELECT 1 FROM social.posts o
            WHERE o.id = p.share_of_id AND o.deleted_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM social.mutes m WHERE m.muter_id = $1 AND m.muted_id = o.author_id)
              AND NOT EXISTS (SELECT 1 FROM social.blocks b
                               WHERE (b.blocker_id = $1 AND b.blocked_id = o.author_id)
                                  OR (b.blocker_id = o.author_id AND b.blocked_id = $1))))
   ORDER BY p.id DESC LIMIT $2`;

const COUNT_CHECKS: { name: string; sql: string }[] = [
  {
    name: 'followers_count',
    sql: `SELECT p.user_id AS id, p.followers_count AS stored, count(f.follower_id)::int AS rows
            FROM social.profiles p LEFT JOIN social.follows f ON f.followee_id = p.user_id
           GROUP BY p.user_id HAVING p.followers_count <> count(f.follower_id)`,
  },
  {
    name: 'following_count',
    sql: `SELECT p.user_id AS id, p.following_count AS stored, count(f.followee_id)::int AS rows
            FROM social.profiles p LEFT JOIN social.follows f ON f.follower_id = p.user_id
           GROUP BY p.user_id HAVING p.following_count <> count(f.followee_id)`,
  },
  {
    name: 'posts_count',
    sql: `SELECT p.user_id AS id, p.posts_count AS stored, count(x.id)::int AS rows
            FROM social.profiles p
            LEFT JOIN social.posts x ON x.author_id = p.user_id AND x.status = 'published' AND x.deleted_at IS NULL
           GROUP BY p.user_id HAVING p.posts_count <> count(x.id)`,
  },
  {
    name: 'likes_count',
    sql: `SELECT p.id, p.likes_count AS stored, count(l.user_id)::int AS rows
            FROM social.posts p LEFT JOIN social.likes l ON l.post_id = p.id
           GROUP BY p.id HAVING p.likes_count <> count(l.user_id)`,
  },
  {
    name: 'comments_count',
    sql: `SELECT p.id, p.comments_count AS stored, count(c.id)::int AS rows
            FROM social.posts p
            LEFT JOIN social.posts c ON c.reply_to_id = p.id AND c.status = 'published' AND c.deleted_at IS NULL
           GROUP BY p.id HAVING p.comments_count <> count(c.id)`,
  },
  {
    name: 'shares_count',
    sql: `SELECT p.id, p.shares_count AS stored, count(s.id)::int AS rows
            FROM social.posts p
            LEFT JOIN social.posts s ON s.share_of_id = p.id AND s.status = 'published' AND s.deleted_at IS NULL
           GROUP BY p.id HAVING p.shares_count <> count(s.id)`,
  },
];

export async function checkSocialInvariants(o: SocialInvariantOptions): Promise<string[]> {
  const problems = await awaitSocialSettled(o);
  if (problems.length) return problems;
  const client = new pg.Client({ connectionString: o.databaseUrl });
  await client.connect();
  try {
    const q = async (sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows;
    for (const check of COUNT_CHECKS) {
      const rows = await q(check.sql);
      for (const r of rows.slice(0, SHOWN))
        problems.push(`${check.name}: ${r.id} stores ${r.stored}, the rows say ${r.rows}`);
      if (rows.length > SHOWN) problems.push(`${check.name}: … and ${rows.length - SHOWN} more`);
    }
    for (const reader of o.readers ?? []) problems.push(...(await checkFeed(o, q, reader)));
    if (o.pushed) problems.push(...(await checkPushed(o, o.pushed)));
  } finally {
    await client.end();
  }
  return problems;
}

type Query = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

/** One reader's feed through the API against the oracle. */
async function checkFeed(
  o: SocialInvariantOptions,
  q: Query,
  reader: { id: string; token: string },
): Promise<string[]> {
  const max = o.maxItems ?? 400;
  const seen: FeedPage['items'] = [];
  let cursor: string | undefined;
  do {
    const page = await o.readFeed(reader.token, o.pageSize ?? 50, cursor);
    seen.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && seen.length < max);
  const got = seen.slice(0, max).map((p) => p.id);
  const expected = (await q(FEED_ORACLE, [reader.id, max])).map((r) => r.id as string);
  const problems: string[] = [];
  const counted = new Map<string, number>();
  for (const id of got) counted.set(id, (counted.get(id) ?? 0) + 1);
  const twice = [...counted].filter(([, n]) => n > 1).map(([id]) => id);
  if (twice.length)
    problems.push(`feed of ${reader.id}: ${twice.length} posts more than once (${twice[0]})`);
  const shut = await q(
    `SELECT DISTINCT a AS id FROM unnest($2::uuid[]) AS a
      WHERE EXISTS (SELECT 1 FROM social.mutes m WHERE m.muter_id = $1 AND m.muted_id = a)
         OR EXISTS (SELECT 1 FROM social.blocks b WHERE (b.blocker_id = $1 AND b.blocked_id = a)
                                                    OR (b.blocker_id = a AND b.blocked_id = $1))`,
    [reader.id, [...new Set(seen.map((p) => p.author.userId))]],
  );
  for (const r of shut)
    problems.push(`feed of ${reader.id}: a post of ${r.id}, muted or blocked, is in it`);
  const want = new Set(expected);
  const have = new Set(got);
  const missing = expected.filter((id) => !have.has(id));
  const extra = got.filter((id) => !want.has(id));
  if (missing.length)
    problems.push(
      `feed of ${reader.id}: ${missing.length} of ${expected.length} eligible posts missing (${missing.slice(0, 3).join(', ')})`,
    );
  if (extra.length)
    problems.push(
      `feed of ${reader.id}: ${extra.length} posts that are not eligible (${extra.slice(0, 3).join(', ')})`,
    );
  if (!missing.length && !extra.length && !twice.length && got.join() !== expected.join())
    problems.push(`feed of ${reader.id}: the eligible posts, out of order`);
  return problems;
}

/** Every listed post in the pushed feed of every listed follower (ZSCORE, pipelined). */
async function checkPushed(
  o: SocialInvariantOptions,
  { postIds, followerIds }: { postIds: string[]; followerIds: string[] },
): Promise<string[]> {
  const missing = new Map<string, number>();
  for (let i = 0; i < followerIds.length; i += 2000) {
    const batch = followerIds.slice(i, i + 2000);
    const pipe = o.redis.pipeline();
    for (const f of batch)
      for (const p of postIds) pipe.zscore(`${o.redisPrefix}social:feed:${f}`, p);
    const replies = (await pipe.exec()) ?? [];
    let k = 0;
    for (const _f of batch)
      for (const p of postIds) {
        const [err, score] = replies[k++] ?? [];
        if (err) throw err;
        if (score === null) missing.set(p, (missing.get(p) ?? 0) + 1);
      }
  }
  return [...missing].map(
    ([p, n]) => `post ${p} missing from ${n} of ${followerIds.length} followers' pushed feeds`,
  );
}

/** Queues of the social context in the app's Redis (`<prefix>bull:social.<job>:…` keys). */
async function socialQueues(o: SocialInvariantOptions): Promise<string[]> {
  const names = new Set<string>();
  let cursor = '0';
  do {
    const [next, keys] = await o.redis.scan(
      cursor,
      'MATCH',
      `${o.redisPrefix}bull:social.*`,
      'COUNT',
      1000,
    );
    cursor = next;
    for (const k of keys) names.add(k.slice(`${o.redisPrefix}bull:`.length).split(':')[0]!);
  } while (cursor !== '0');
  return [...names];
}

/** Waits until nothing is pending; returns what still is after `settleMs`. */
export async function awaitSocialSettled(o: SocialInvariantOptions): Promise<string[]> {
  const deadline = Date.now() + (o.settleMs ?? 60_000);
  const queues = (await socialQueues(o)).map(
    (name) => new Queue(name, { connection: o.redis, prefix: `${o.redisPrefix}bull` }),
  );
  try {
    for (;;) {
      const open: string[] = [];
      const [row] = await sqlOnce(
        o.databaseUrl,
        `SELECT (SELECT count(*) FROM platform.outbox WHERE dispatched_at IS NULL)::int AS outbox,
                (SELECT count(*) FROM platform.inbox WHERE status <> 'done')::int AS inbox`,
      );
      if (row!.outbox) open.push(`${row!.outbox} outbox rows undispatched`);
      if (row!.inbox) open.push(`${row!.inbox} deliveries not done`);
      for (const queue of queues) {
        const counts = await queue.getJobCounts('waiting', 'active', 'prioritized');
        // A delayed job counts if due before we give up (a retry backing off), not a scheduler's.
        const delayed = await o.redis.zrange(queue.keys.delayed!, 0, -1, 'WITHSCORES');
        for (let i = 0; i < delayed.length; i += 2)
          if (!delayed[i]!.startsWith('repeat:') && Number(delayed[i + 1]) / 0x1000 <= deadline)
            counts.delayed = (counts.delayed ?? 0) + 1;
        const n = Object.values(counts).reduce((a, b) => a + b, 0);
        if (n) open.push(`queue ${queue.name}: ${n} jobs to run`);
      }
      if (!open.length) return [];
      if (Date.now() > deadline) return [`not settled: ${open.join(', ')}`];
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await Promise.all(queues.map((q) => q.close()));
  }
}

async function sqlOnce(url: string, text: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}
