import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { decodeCursor, type PageQuery } from '@app/platform';
import { DataSource } from 'typeorm';
import { postNotFound } from './post-access.js';
import { postPage } from './post-pages.js';
import { PostViews, VISIBLE_TO_VIEWER } from './post-views.js';
import type { CommentPage } from './posts.dto.js';

/** A post's comments, oldest first, with the post (a tombstone once deleted). */
export class ListComments extends Query<CommentPage> {
  constructor(
    readonly viewerId: string,
    readonly postId: string,
    readonly page: PageQuery,
  ) {
    super();
  }
}

/**
 * The comments of a post the viewer can see, deleted or not (a deleted post keeps its thread);
 * deleted comments come as tombstones, comments by someone a block separates from the viewer
 * are left out. Keyset on `(reply_to_id, id)` (index `posts_replies_idx`).
 */
@QueryHandler(ListComments)
export class ListCommentsHandler implements IQueryHandler<ListComments> {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly views: PostViews,
  ) {}

  async execute({ viewerId, postId, page }: ListComments): Promise<CommentPage> {
    const after = decodeCursor<{ id: string }>(page.cursor, { id: 'uuid' });
    const [visible] = await this.db.query<unknown[]>(
      `SELECT 1 FROM social.posts p WHERE p.id = $2 AND ${VISIBLE_TO_VIEWER}`,
      [viewerId, postId],
    );
    if (!visible) throw postNotFound(postId);
    const rows = await this.db.query<{ id: string }[]>(
      `SELECT id FROM social.posts
        WHERE reply_to_id = $1 AND status = 'published' AND ($2::uuid IS NULL OR id > $2::uuid)
        ORDER BY id LIMIT $3`,
      [postId, after?.id ?? null, page.limit + 1],
    );
    // One hydration for the parent and the page; the parent is always there (checked above).
    const { items, nextCursor } = await postPage(
      this.views,
      viewerId,
      [{ id: postId }, ...rows],
      page.limit + 1,
    );
    const [parent, ...comments] = items;
    return { parent: parent!, items: comments, nextCursor };
  }
}
