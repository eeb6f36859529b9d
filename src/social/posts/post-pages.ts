import { encodeCursor } from '@app/platform';
import type { Queryable } from '../profiles/profile-lookup.js';
import type { PostViews } from './post-views.js';
import type { PostPage } from './posts.dto.js';

/**
 * A page from `limit + 1` post ids in page order (keyset on the UUID v7 id), hydrated for the
 * viewer. The cursor is the last id fetched for the page, so a post hydration leaves out (a block
 * between viewer and author) never stops the paging.
 */
export async function postPage(
  views: PostViews,
  viewerId: string,
  rows: readonly { id: string }[],
  limit: number,
  db?: Queryable,
): Promise<PostPage> {
  const ids = rows.slice(0, limit).map((r) => r.id);
  const last = ids[ids.length - 1];
  return {
    items: await views.hydrate(viewerId, ids, db),
    nextCursor: rows.length > limit && last ? encodeCursor({ id: last }) : null,
  };
}
