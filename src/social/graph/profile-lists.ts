import { decodeCursor, type PageQuery, toPage } from '@app/platform';
import type { ProfileRow } from '../profiles/profile.entity.js';
import type { Queryable } from '../profiles/profile-lookup.js';
import { mapProfile, type Relationship } from '../profiles/profiles.dto.js';
import type { ProfilePage } from './graph.dto.js';

/** Which edges a list walks: the table, the column naming the list's owner and the listed one. */
export type ProfileList =
  | { table: 'follows'; owner: 'followee_id'; listed: 'follower_id' }
  | { table: 'follows'; owner: 'follower_id'; listed: 'followee_id' }
  | { table: 'blocks'; owner: 'blocker_id'; listed: 'blocked_id' }
  | { table: 'mutes'; owner: 'muter_id'; listed: 'muted_id' };

export const FOLLOWERS: ProfileList = {
  table: 'follows',
  owner: 'followee_id',
  listed: 'follower_id',
};
export const FOLLOWING: ProfileList = {
  table: 'follows',
  owner: 'follower_id',
  listed: 'followee_id',
};
export const BLOCKS: ProfileList = { table: 'blocks', owner: 'blocker_id', listed: 'blocked_id' };
export const MUTES: ProfileList = { table: 'mutes', owner: 'muter_id', listed: 'muted_id' };

type ListedRow = ProfileRow & Relationship & { edge_id: string };

/**
 * One page of `ownerId`'s list as `viewerId` sees it: keyset on the edge's UUID v7 id, newest
 * first, each profile with the viewer's relationship to it (none on the viewer's own). Profiles
 * that block the viewer are left out, as they are 404 everywhere else.
 */
export async function listProfiles(
  db: Queryable,
  viewerId: string,
  ownerId: string,
  list: ProfileList,
  page: PageQuery,
): Promise<ProfilePage> {
  const after = decodeCursor<{ id: string }>(page.cursor, { id: 'uuid' });
  const rows = await db.query<ListedRow[]>(
    `SELECT p.*, e.id AS edge_id,
            EXISTS (SELECT 1 FROM social.follows WHERE follower_id = $1 AND followee_id = p.user_id) AS following,
            EXISTS (SELECT 1 FROM social.follows WHERE follower_id = p.user_id AND followee_id = $1) AS "followedBy",
            EXISTS (SELECT 1 FROM social.blocks WHERE blocker_id = $1 AND blocked_id = p.user_id) AS blocking,
            EXISTS (SELECT 1 FROM social.mutes WHERE muter_id = $1 AND muted_id = p.user_id) AS muting
       FROM social.${list.table} e
       JOIN social.profiles p ON p.user_id = e.${list.listed}
      WHERE e.${list.owner} = $2 AND ($3::uuid IS NULL OR e.id < $3::uuid)
        -- Your own blocks and mutes list everyone in them; other lists hide who blocks you.
        AND ($5 OR NOT EXISTS (SELECT 1 FROM social.blocks x WHERE x.blocker_id = p.user_id AND x.blocked_id = $1))
      ORDER BY e.id DESC
      LIMIT $4`,
    [viewerId, ownerId, after?.id ?? null, page.limit + 1, list === BLOCKS || list === MUTES],
  );
  return toPage(
    rows,
    page.limit,
    ({ following, followedBy, blocking, muting, edge_id: _e, ...profile }) =>
      profile.user_id === viewerId
        ? mapProfile(profile)
        : mapProfile(profile, { following, followedBy, blocking, muting }),
    (r) => ({ id: r.edge_id }),
  );
}
