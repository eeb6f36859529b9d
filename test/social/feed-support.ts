import type { TestApp } from '@app/testing';
import type { SocialUser } from './helpers.js';

/** What the feed tests drive through the API: posts, the graph, and feed pages. */

async function ok<R extends { statusCode: number; body: string }>(
  res: R,
  what: string,
): Promise<R> {
  if (res.statusCode >= 300) throw new Error(`${what}: ${res.statusCode} ${res.body}`);
  return res;
}

/** Publishes a post (or a comment on `replyToId`); returns its id. */
export async function createPost(
  t: TestApp,
  u: SocialUser,
  text: string,
  body: { replyToId?: string; draft?: boolean } = {},
): Promise<string> {
  const res = await ok(
    await t.post('/v1/social/posts', { text, ...body }, { token: u.accessToken }),
    'post',
  );
  return (res.json() as { id: string }).id;
}

export async function deletePost(t: TestApp, u: SocialUser, id: string): Promise<void> {
  await ok(
    await t.request('DELETE', `/v1/social/posts/${id}`, undefined, { token: u.accessToken }),
    'delete',
  );
}

/** PUT (on) or DELETE (off) `/v1/social/profiles/{handle}/{edge}` as `u`. */
export async function setEdge(
  t: TestApp,
  u: SocialUser,
  edge: 'follow' | 'mute' | 'block',
  target: SocialUser,
  on: boolean,
): Promise<void> {
  await ok(
    await t.request(
      on ? 'PUT' : 'DELETE',
      `/v1/social/profiles/${target.handle}/${edge}`,
      undefined,
      { token: u.accessToken },
    ),
    `${on ? '' : 'un'}${edge}`,
  );
}

export interface FeedPageBody {
  items: { id: string; author: { userId: string }; deleted: boolean }[];
  nextCursor: string | null;
}

/** One page of `u`'s feed. */
export async function feedPage(
  t: TestApp,
  u: SocialUser,
  limit: number,
  cursor?: string,
): Promise<FeedPageBody> {
  const q = `limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
  const res = await ok(await t.get(`/v1/social/feed?${q}`, { token: u.accessToken }), 'feed');
  return res.json() as FeedPageBody;
}

/** Every id of `u`'s feed, walking the pages of `limit`; checks each page is full but the last. */
export async function walkFeed(t: TestApp, u: SocialUser, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 500; pages++) {
    const page = await feedPage(t, u, limit, cursor);
    ids.push(...page.items.map((i) => i.id));
    if (!page.nextCursor) return ids;
    if (page.items.length !== limit) {
      throw new Error(`short page (${page.items.length} of ${limit}) before the end`);
    }
    cursor = page.nextCursor;
  }
  throw new Error('feed did not end after 500 pages');
}

/**
 * The oracle: `readerId`'s feed straight from the tables (pure fan-out-on-write semantics),
 * written apart from the application's SQL on purpose.
 */
export async function oracleFeed(t: TestApp, readerId: string): Promise<string[]> {
  const rows: { id: string }[] = await t.dataSource.query(
    `SELECT p.id FROM social.posts p
      WHERE p.status = 'published' AND p.deleted_at IS NULL AND p.reply_to_id IS NULL
        AND (p.author_id = $1
             OR p.author_id IN (SELECT followee_id FROM social.follows WHERE follower_id = $1))
        AND p.author_id NOT IN (SELECT muted_id FROM social.mutes WHERE muter_id = $1)
        AND p.author_id NOT IN (SELECT blocked_id FROM social.blocks WHERE blocker_id = $1)
        AND p.author_id NOT IN (SELECT blocker_id FROM social.blocks WHERE blocked_id = $1)
        AND (p.share_of_id IS NULL OR p.share_of_id IN (
              SELECT o.id FROM social.posts o
               WHERE o.deleted_at IS NULL
                 AND o.author_id NOT IN (SELECT muted_id FROM social.mutes WHERE muter_id = $1)
                 AND o.author_id NOT IN (SELECT blocked_id FROM social.blocks WHERE blocker_id = $1)
                 AND o.author_id NOT IN (SELECT blocker_id FROM social.blocks WHERE blocked_id = $1)))
      ORDER BY p.id DESC`,
    [readerId],
  );
  return rows.map((r) => r.id);
}

/** What Redis holds in `userId`'s pushed feed (newest first). */
export async function pushedFeed(t: TestApp, userId: string): Promise<string[]> {
  return t.redis.zrevrange(`${t.redisPrefix}social:feed:${userId}`, 0, -1);
}

/** Makes `userId` look inactive (last feed read long ago). */
export async function makeInactive(t: TestApp, userId: string, days = 30): Promise<void> {
  await t.dataSource.query(
    `UPDATE social.profiles SET last_feed_read_at = now() - make_interval(days => $2) WHERE user_id = $1`,
    [userId, days],
  );
}
