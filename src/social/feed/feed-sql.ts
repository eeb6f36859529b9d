import type { Queryable } from '../profiles/profile-lookup.js';

/**
 * The feed's SQL: the eligibility rule (the oracle) and the follower ranges fan-out works on.
 *
 * Reader R's feed holds post P by author A iff P is published, not deleted, not a comment
 * (shares are feed items), A is R or R follows A, R does not mute A, and no block stands
 * between R and A — and, for a share, its original is not deleted and its author is not muted
 * by or blocked either way with R (a share never brings back what R hid); newest first by id
 * (UUID v7).
 */

/** "A feed item": a published top-level post or share, not deleted (alias `p`). */
const FEED_ITEM = `p.status = 'published' AND p.deleted_at IS NULL AND p.reply_to_id IS NULL`;

/** "For reader $1, share `p` is still shown": not a share, or its original is visible to them. */
const SHARE_SHOWN = () => `(p.share_of_id IS NULL OR EXISTS (
    SELECT 1 FROM social.posts o
     WHERE o.id = p.share_of_id AND o.deleted_at IS NULL AND ${authorAllowed('o.author_id')}))`;

/** "Reader $1 may have author `col` in their feed": self or followed, not muted, no block. */
export function authorAllowed(col: string): string {
  return `NOT EXISTS (SELECT 1 FROM social.mutes m WHERE m.muter_id = $1 AND m.muted_id = ${col})
    AND NOT EXISTS (SELECT 1 FROM social.blocks b
                     WHERE (b.blocker_id = ${col} AND b.blocked_id = $1)
                        OR (b.blocker_id = $1 AND b.blocked_id = ${col}))`;
}

/**
 * The eligible items of `readerId`'s feed below `before` (exclusive), newest first: a keyset
 * read per author (`posts_author_idx`) merged by PostgreSQL. The rebuild and the continuation
 * past what Redis holds both read it, so every source agrees on one order.
 */
export async function eligibleFeed(
  db: Queryable,
  readerId: string,
  before: string | null,
  limit: number,
): Promise<string[]> {
  const rows = await db.query<{ id: string }[]>(
    `SELECT x.id FROM (
       SELECT $1::uuid AS author_id
        UNION
       SELECT f.followee_id FROM social.follows f
        WHERE f.follower_id = $1 AND ${authorAllowed('f.followee_id')}
     ) a
     CROSS JOIN LATERAL (
       SELECT p.id FROM social.posts p
        WHERE p.author_id = a.author_id AND ${FEED_ITEM} AND ${SHARE_SHOWN()}
          AND ($2::uuid IS NULL OR p.id < $2)
        ORDER BY p.id DESC LIMIT $3
     ) x
     ORDER BY x.id DESC LIMIT $3`,
    [readerId, before, limit],
  );
  return rows.map((r) => r.id);
}

/** The ids among `ids` that are in `readerId`'s feed by the rule, in the order given. */
export async function keepEligible(
  db: Queryable,
  readerId: string,
  ids: readonly string[],
): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db.query<{ id: string }[]>(
    `SELECT p.id FROM unnest($2::uuid[]) WITH ORDINALITY AS i(id, ord)
       JOIN social.posts p ON p.id = i.id
      WHERE ${FEED_ITEM} AND ${SHARE_SHOWN()}
        AND (p.author_id = $1 OR EXISTS (SELECT 1 FROM social.follows f
                                          WHERE f.follower_id = $1 AND f.followee_id = p.author_id))
        AND ${authorAllowed('p.author_id')}
      ORDER BY i.ord`,
    [readerId, ids],
  );
  return rows.map((r) => r.id);
}

/** An author's newest feed items (below `before`, exclusive), newest first. */
export async function authorItems(
  db: Queryable,
  authorId: string,
  limit: number,
  before: string | null = null,
): Promise<string[]> {
  const rows = await db.query<{ id: string }[]>(
    `SELECT p.id FROM social.posts p
      WHERE p.author_id = $1 AND ${FEED_ITEM} AND ($2::uuid IS NULL OR p.id < $2)
      ORDER BY p.id DESC LIMIT $3`,
    [authorId, before, limit],
  );
  return rows.map((r) => r.id);
}

/**
 * A slice of an author's followers by follow id (`follows_followee_idx`): `(after, upTo]`,
 * null = open. Follows made later have later ids: they fall in the last, open range.
 */
export interface FollowerRange {
  after: string | null;
  upTo: string | null;
}

/**
 * Splits an author's followers into ranges of `chunk` by follow id (one fan-out job each).
 * The ranges are fixed when the post is consumed; who is in them is read when a job runs.
 */
export async function followerRanges(
  db: Queryable,
  authorId: string,
  chunk: number,
): Promise<FollowerRange[]> {
  const bounds = await db.query<{ id: string }[]>(
    `SELECT id FROM (
       SELECT id, row_number() OVER (ORDER BY id) AS n
         FROM social.follows WHERE followee_id = $1
     ) f WHERE n % $2 = 0 ORDER BY id`,
    [authorId, chunk],
  );
  const ranges: FollowerRange[] = [];
  let after: string | null = null;
  for (const { id } of bounds) {
    ranges.push({ after, upTo: id });
    after = id;
  }
  ranges.push({ after, upTo: null });
  return ranges;
}

/**
 * The followers of `authorId` in a range who do not mute the author; with `activeDays`, only
 * those who read their feed within that many days (null = never read = inactive: their feed is
 * rebuilt on their first read).
 */
export async function followersIn(
  db: Queryable,
  authorId: string,
  range: FollowerRange,
  activeDays: number | null,
): Promise<string[]> {
  const rows = await db.query<{ follower_id: string }[]>(
    `SELECT f.follower_id FROM social.follows f
       JOIN social.profiles r ON r.user_id = f.follower_id
      WHERE f.followee_id = $1
        AND ($2::uuid IS NULL OR f.id > $2)
        AND ($3::uuid IS NULL OR f.id <= $3)
        AND ($4::int IS NULL OR r.last_feed_read_at >= now() - make_interval(days => $4::int))
        AND NOT EXISTS (SELECT 1 FROM social.mutes m
                         WHERE m.muter_id = f.follower_id AND m.muted_id = $1)
      ORDER BY f.id`,
    [authorId, range.after, range.upTo, activeDays],
  );
  return rows.map((r) => r.follower_id);
}

/** What a feed read needs to know about its reader (and the read-time mark it leaves). */
export interface ReaderState {
  /** The last feed read before this one (null: never). */
  lastRead: Date | null;
  /** Followed authors whose own sets are merged in: celebrities and recent tier leavers. */
  merged: string[];
}

/**
 * The reader's last feed read and the authors to merge, in one statement that also records
 * this read — at most once an hour, so a read is not a write. Null without a profile.
 */
export async function readerState(
  db: Queryable,
  readerId: string,
  recentExits: readonly string[],
): Promise<ReaderState | null> {
  const [row] = await db.query<{ known: boolean; last_read: Date | null; merged: string[] }[]>(
    `WITH me AS (SELECT last_feed_read_at FROM social.profiles WHERE user_id = $1),
     touched AS (
       UPDATE social.profiles SET last_feed_read_at = now()
        WHERE user_id = $1
          AND (last_feed_read_at IS NULL OR last_feed_read_at < now() - interval '1 hour')
       RETURNING 1)
     SELECT EXISTS (SELECT 1 FROM me) AS known,
            (SELECT last_feed_read_at FROM me) AS last_read,
            (SELECT count(*) FROM touched) AS touched,
            ARRAY(SELECT f.followee_id FROM social.follows f
                    JOIN social.profiles c ON c.user_id = f.followee_id
                   WHERE f.follower_id = $1 AND (c.celebrity OR c.user_id = ANY($2::uuid[]))
                     AND ${authorAllowed('f.followee_id')}
                   ORDER BY f.followee_id)::text[] AS merged`,
    [readerId, recentExits],
  );
  if (!row?.known) return null;
  return { lastRead: row.last_read, merged: row.merged };
}
