import type { Tx } from '@app/platform';
import { v7 as uuidv7 } from 'uuid';
import { lookupProfile, type Queryable } from '../profiles/profile-lookup.js';
import { mapProfile, type ProfileView } from '../profiles/profiles.dto.js';
import { SocialError } from '../social.error.js';
import { FollowChanged } from '../social.events.js';

/**
 * The frame of every graph change by `viewerId` on the profile at `handle`: find it (404 as
 * `lookupProfile` says), refuse yourself (400 `social.self_follow`), lock the pair, run `change`
 * on the other's user id, and answer the profile as it is now, with the relationship.
 */
export async function changeRelation(
  tx: Tx,
  viewerId: string,
  handle: string,
  change: (otherId: string) => Promise<void>,
  opts: { hideBlockedByViewer?: boolean; allowBlockedBy?: boolean } = {},
): Promise<ProfileView> {
  const { profile } = await lookupProfile(tx.manager, viewerId, handle, opts);
  if (profile.user_id === viewerId) {
    throw new SocialError('social.self_follow', 'You cannot follow, block or mute yourself.');
  }
  await lockPair(tx.manager, viewerId, profile.user_id);
  await change(profile.user_id);
  const now = await lookupProfile(tx.manager, viewerId, profile.handle, {
    allowBlockedBy: opts.allowBlockedBy,
  });
  return mapProfile(now.profile, now.relationship);
}

/**
 * Locks both profile rows, lower user id first: every graph change takes its pair in the same
 * order, so concurrent follows of one account queue instead of deadlocking, and a follow and a
 * block of the same pair never interleave (the block check runs after the lock).
 */
export async function lockPair(db: Queryable, a: string, b: string): Promise<void> {
  await db.query(
    `SELECT user_id FROM social.profiles WHERE user_id = ANY($1::uuid[]) ORDER BY user_id FOR UPDATE`,
    [[a, b]],
  );
}

/** Whether a block stands between the two, either way. */
export async function blockBetween(db: Queryable, a: string, b: string): Promise<boolean> {
  const rows = await db.query<unknown[]>(
    `SELECT 1 FROM social.blocks
      WHERE (blocker_id = $1 AND blocked_id = $2) OR (blocker_id = $2 AND blocked_id = $1)`,
    [a, b],
  );
  return rows.length > 0;
}

/** Adds the edge; true when it is new (the counts moved and FollowChanged is written). */
export async function addFollow(tx: Tx, followerId: string, followeeId: string): Promise<boolean> {
  const inserted = await tx.manager.query<unknown[]>(
    `INSERT INTO social.follows (follower_id, followee_id, id) VALUES ($1, $2, $3)
     ON CONFLICT DO NOTHING RETURNING id`,
    [followerId, followeeId, uuidv7()],
  );
  if (inserted.length === 0) return false;
  await moveCounts(tx, followerId, followeeId, 1);
  return true;
}

/** Removes the edge if there is one; true when it was removed (counts and FollowChanged too). */
export async function removeFollow(
  tx: Tx,
  followerId: string,
  followeeId: string,
): Promise<boolean> {
  const [, removed] = await tx.manager.query<[unknown[], number]>(
    `DELETE FROM social.follows WHERE follower_id = $1 AND followee_id = $2 RETURNING id`,
    [followerId, followeeId],
  );
  if (removed === 0) return false;
  await moveCounts(tx, followerId, followeeId, -1);
  return true;
}

async function moveCounts(tx: Tx, followerId: string, followeeId: string, by: 1 | -1) {
  await tx.manager.query(
    `UPDATE social.profiles SET following_count = following_count + $2 WHERE user_id = $1`,
    [followerId, by],
  );
  const [[followee]] = await tx.manager.query<[{ followers_count: number }[], number]>(
    `UPDATE social.profiles SET followers_count = followers_count + $2 WHERE user_id = $1
     RETURNING followers_count`,
    [followeeId, by],
  );
  await tx.publish(
    new FollowChanged({
      followerId,
      followeeId,
      following: by === 1,
      followersCount: followee!.followers_count,
    }),
  );
}

const EDGE_COLUMNS = {
  blocks: ['blocker_id', 'blocked_id'],
  mutes: ['muter_id', 'muted_id'],
} as const;

/** Adds (`on`) or removes the block or mute edge from → to; true when something changed. */
export async function setEdge(
  tx: Tx,
  table: keyof typeof EDGE_COLUMNS,
  from: string,
  to: string,
  on: boolean,
): Promise<boolean> {
  const [a, b] = EDGE_COLUMNS[table];
  if (on) {
    const inserted = await tx.manager.query<unknown[]>(
      `INSERT INTO social.${table} (${a}, ${b}, id) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING id`,
      [from, to, uuidv7()],
    );
    return inserted.length > 0;
  }
  const [, removed] = await tx.manager.query<[unknown[], number]>(
    `DELETE FROM social.${table} WHERE ${a} = $1 AND ${b} = $2 RETURNING id`,
    [from, to],
  );
  return removed > 0;
}
