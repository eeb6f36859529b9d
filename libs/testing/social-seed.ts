/**
 * A large follow graph fast, straight into schema `social` (a fault test's 10,000 followers, a
 * bench's celebrities): registering and following over HTTP would measure argon2 and the follow
 * route, not the fan-out under test. Counts are set from the rows, as the app keeps them.
 * Plain SQL through a query function, so `npm run bench` uses it as well as the tests; and the
 * pushed feeds' state in Redis (who holds a post, all of it dropped).
 */
import type { Redis } from 'ioredis';
import { v7 as uuidv7 } from 'uuid';

export type SqlQuery = (text: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

/**
 * Profiles for these user ids (the projection identity's event would have made), handles
 * `<tag><n>`; with `active` their feed was read just now (fan-out skips inactive readers).
 */
export async function seedProfiles(
  q: SqlQuery,
  ids: string[],
  { tag, active = true }: { tag: string; active?: boolean },
): Promise<void> {
  await q(
    `INSERT INTO social.profiles (user_id, handle, handle_lower, display_name, last_feed_read_at)
     SELECT id, $2 || n, lower($2 || n), 'Seeded ' || n, CASE WHEN $3 THEN now() END
       FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`,
    [ids, tag, active],
  );
}

/** `n` new profiles (ids ascending, as UUID v7 are); returns their ids in that order. */
export async function seedUsers(
  q: SqlQuery,
  n: number,
  opts: { tag: string; active?: boolean },
): Promise<string[]> {
  const ids = Array.from({ length: n }, () => uuidv7());
  for (let i = 0; i < ids.length; i += 20_000)
    await seedProfiles(q, ids.slice(i, i + 20_000), { ...opts, tag: `${opts.tag}${i / 20_000}x` });
  return ids;
}

/**
 * Every follower follows every followee (edges in follower order, ids UUID v7 ascending), and
 * the followers' and followees' counts are recomputed from the rows.
 */
export async function seedFollows(
  q: SqlQuery,
  followerIds: string[],
  followeeIds: string[],
): Promise<void> {
  const BATCH = 20_000;
  let from: string[] = [];
  let to: string[] = [];
  const flush = async () => {
    if (!from.length) return;
    await q(
      `INSERT INTO social.follows (follower_id, followee_id, id)
       SELECT f, e, i FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS t(f, e, i)
       ON CONFLICT DO NOTHING`,
      [from, to, from.map(() => uuidv7())],
    );
    from = [];
    to = [];
  };
  for (const follower of followerIds)
    for (const followee of followeeIds) {
      from.push(follower);
      to.push(followee);
      if (from.length >= BATCH) await flush();
    }
  await flush();
  await recount(q, [...followerIds, ...followeeIds]);
}

/** followers_count and following_count of these profiles, from the rows. */
export async function recount(q: SqlQuery, userIds: string[]): Promise<void> {
  await q(
    `UPDATE social.profiles p
        SET followers_count = (SELECT count(*) FROM social.follows f WHERE f.followee_id = p.user_id),
            following_count = (SELECT count(*) FROM social.follows f WHERE f.follower_id = p.user_id)
      WHERE p.user_id = ANY($1::uuid[])`,
    [[...new Set(userIds)]],
  );
}

/**
 * Marks these readers' pushed feeds as built and empty, as their first read would have left
 * them (fan-out writes only into built feeds; a missing one is rebuilt when next read). `horizonKey`
 * is the feed's marker key under `social:` (the feed's own layout, `src/social/feed/feed-keys.ts`).
 */
export async function warmFeeds(
  redis: Redis,
  redisPrefix: string,
  userIds: string[],
  horizonKey: (userId: string) => string,
): Promise<void> {
  for (let i = 0; i < userIds.length; i += 5000) {
    const pipe = redis.pipeline();
    for (const id of userIds.slice(i, i + 5000))
      pipe.set(`${redisPrefix}social:${horizonKey(id)}`, '');
    await pipe.exec();
  }
}

/** How many of these users' pushed feeds (`social:feed:{id}`) hold the post. */
export async function feedsHolding(
  redis: Redis,
  redisPrefix: string,
  postId: string,
  userIds: readonly string[],
): Promise<number> {
  const pipe = redis.pipeline();
  for (const id of userIds) pipe.zscore(`${redisPrefix}social:feed:${id}`, postId);
  const replies = (await pipe.exec()) ?? [];
  return replies.filter(([err, score]) => !err && score !== null).length;
}

/** Deletes every `social:` key under the prefix (SCAN + DEL: a Redis that lost the feeds). */
export async function dropSocialKeys(redis: Redis, redisPrefix: string): Promise<number> {
  let dropped = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}social:*`, 'COUNT', 5000);
    cursor = next;
    if (keys.length) dropped += await redis.del(...keys);
  } while (cursor !== '0');
  return dropped;
}
