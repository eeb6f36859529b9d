import { SocialError } from '../social.error.js';
import type { ProfileRow } from './profile.entity.js';
import type { Relationship } from './profiles.dto.js';

/** The transaction manager or data source a lookup runs on. */
export interface Queryable {
  query<T = unknown>(sql: string, params?: unknown[]): Promise<T>;
}

/**
 * The profile at `handle` as `viewerId` may see it, with their relationship; 404
 * `social.profile_not_found` when there is none or its owner blocks the viewer (no oracle: the
 * same answer as a handle that does not exist). `hideBlockedByViewer` makes a profile the
 * viewer blocks a 404 too (following it, say); `allowBlockedBy` finds it although its owner
 * blocks the viewer (to lift the viewer's own block or mute of them: a mutual block must end).
 */
export async function lookupProfile(
  db: Queryable,
  viewerId: string,
  handle: string,
  opts: { hideBlockedByViewer?: boolean; allowBlockedBy?: boolean; lock?: boolean } = {},
): Promise<{ profile: ProfileRow; relationship: Relationship }> {
  const rows = await db.query<(ProfileRow & Relationship & { blocked_by: boolean })[]>(
    `SELECT p.*,
            EXISTS (SELECT 1 FROM social.follows WHERE follower_id = $1 AND followee_id = p.user_id) AS following,
            EXISTS (SELECT 1 FROM social.follows WHERE follower_id = p.user_id AND followee_id = $1) AS "followedBy",
            EXISTS (SELECT 1 FROM social.blocks WHERE blocker_id = $1 AND blocked_id = p.user_id) AS blocking,
            EXISTS (SELECT 1 FROM social.mutes WHERE muter_id = $1 AND muted_id = p.user_id) AS muting,
            EXISTS (SELECT 1 FROM social.blocks WHERE blocker_id = p.user_id AND blocked_id = $1) AS blocked_by
       FROM social.profiles p WHERE p.handle_lower = lower($2)${opts.lock ? ' FOR UPDATE OF p' : ''}`,
    [viewerId, handle],
  );
  const r = rows[0];
  if (!r || (r.blocked_by && !opts.allowBlockedBy) || (opts.hideBlockedByViewer && r.blocking)) {
    throw new SocialError('social.profile_not_found', `No profile @${handle}.`);
  }
  const { following, followedBy, blocking, muting, blocked_by: _b, ...profile } = r;
  return { profile, relationship: { following, followedBy, blocking, muting } };
}

/** The viewer's own profile row; it exists once identity.user-registered was consumed. */
export async function ownProfile(db: Queryable, userId: string): Promise<ProfileRow> {
  const [r] = await db.query<ProfileRow[]>(`SELECT * FROM social.profiles WHERE user_id = $1`, [
    userId,
  ]);
  if (!r) {
    throw new SocialError(
      'social.profile_not_found',
      'Your profile is being set up (a moment after registering); try again shortly.',
    );
  }
  return r;
}
