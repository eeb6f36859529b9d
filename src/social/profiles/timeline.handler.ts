import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { decodeCursor, type PageQuery } from '@app/platform';
import { DataSource } from 'typeorm';
import { postPage } from '../posts/post-pages.js';
import { PostViews } from '../posts/post-views.js';
import type { PostPage } from '../posts/posts.dto.js';
import { lookupProfile } from './profile-lookup.js';

/** The author's timeline: their published posts and shares, newest first (no comments). */
export class GetTimeline extends Query<PostPage> {
  constructor(
    readonly viewerId: string,
    readonly handle: string,
    readonly page: PageQuery,
  ) {
    super();
  }
}

/**
 * Keyset on `(author_id, id desc)` (index `posts_author_idx`), the seed's Cassandra access
 * pattern. 404 when the author blocks the viewer; the viewer's own drafts are not here.
 */
@QueryHandler(GetTimeline)
export class GetTimelineHandler implements IQueryHandler<GetTimeline> {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly views: PostViews,
  ) {}

  async execute({ viewerId, handle, page }: GetTimeline): Promise<PostPage> {
    const after = decodeCursor<{ id: string }>(page.cursor, { id: 'uuid' });
    const { profile } = await lookupProfile(this.db, viewerId, handle);
    const rows = await this.db.query<{ id: string }[]>(
      `SELECT t.id FROM social.posts t
        WHERE t.author_id = $1 AND status = 'published' AND deleted_at IS NULL
          AND reply_to_id IS NULL AND ($2::uuid IS NULL OR id < $2::uuid)
          -- A share shows only while its original exists and is visible to the viewer ($4).
          AND (t.share_of_id IS NULL OR EXISTS (
                SELECT 1 FROM social.posts o
                 WHERE o.id = t.share_of_id AND o.deleted_at IS NULL
                   AND NOT EXISTS (SELECT 1 FROM social.blocks b
                                    WHERE (b.blocker_id = o.author_id AND b.blocked_id = $4)
                                       OR (b.blocker_id = $4 AND b.blocked_id = o.author_id))))
        ORDER BY id DESC LIMIT $3`,
      [profile.user_id, after?.id ?? null, page.limit + 1, viewerId],
    );
    return postPage(this.views, viewerId, rows, page.limit);
  }
}
