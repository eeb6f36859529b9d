import { SocialError } from '../social.error.js';
import type { Queryable } from '../profiles/profile-lookup.js';
import type { PostRow } from './post.entity.js';
import type { PostView } from './post-view.dto.js';
import { type PostViews, VISIBLE_TO_VIEWER } from './post-views.js';

/** The problem for a post the viewer cannot see; `field` names the request field that held its id. */
export function postNotFound(postId: string, field?: string): SocialError {
  return new SocialError(
    'social.post_not_found',
    `No post ${postId} that you can see.`,
    field ? { errors: [{ field, messages: [`${field} is not a post you can see`] }] } : undefined,
  );
}

/** The problem for a deleted post; `field` as for `postNotFound`. */
export function postDeleted(postId: string, field?: string): SocialError {
  return new SocialError(
    'social.post_deleted',
    `Post ${postId} was deleted.`,
    field ? { errors: [{ field, messages: [`${field} is a deleted post`] }] } : undefined,
  );
}

/**
 * A published post the viewer may act on (like, share, comment on), locked for the counts that
 * follow: 404 when they cannot see it, 409 `social.post_deleted` when deleted, 409
 * `social.post_is_draft` for the viewer's own draft (someone else's is 404: it is not there).
 */
export async function actionablePost(
  db: Queryable,
  viewerId: string,
  postId: string,
  field?: string,
): Promise<PostRow> {
  const [post] = await db.query<PostRow[]>(
    `SELECT p.* FROM social.posts p
      WHERE p.id = $2 AND ${VISIBLE_TO_VIEWER}
      FOR UPDATE OF p`,
    [viewerId, postId],
  );
  if (!post) throw postNotFound(postId, field);
  if (post.deleted_at) throw postDeleted(postId, field);
  if (post.status === 'draft') {
    throw new SocialError(
      'social.post_is_draft',
      `Post ${postId} is your draft; publish it first.`,
      field ? { errors: [{ field, messages: [`${field} is a draft`] }] } : undefined,
    );
  }
  return post;
}

/** The viewer's view of one post that is neither hidden from them nor deleted, else 404. */
export async function visiblePostView(
  views: PostViews,
  viewerId: string,
  postId: string,
  db?: Queryable,
): Promise<PostView> {
  const [view] = await views.hydrate(viewerId, [postId], db);
  if (!view || view.deleted) throw postNotFound(postId);
  return view;
}
