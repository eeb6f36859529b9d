import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { decodeCursor, type PageQuery } from '@app/platform';
import { DataSource } from 'typeorm';
import { postPage } from './post-pages.js';
import { PostViews } from './post-views.js';
import type { PostPage } from './posts.dto.js';

/** Your drafts, newest first (nobody else's can be listed). */
export class ListDrafts extends Query<PostPage> {
  constructor(
    readonly userId: string,
    readonly page: PageQuery,
  ) {
    super();
  }
}

@QueryHandler(ListDrafts)
export class ListDraftsHandler implements IQueryHandler<ListDrafts> {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly views: PostViews,
  ) {}

  async execute({ userId, page }: ListDrafts): Promise<PostPage> {
    const after = decodeCursor<{ id: string }>(page.cursor, { id: 'uuid' });
    const rows = await this.db.query<{ id: string }[]>(
      `SELECT id FROM social.posts
        WHERE author_id = $1 AND status = 'draft' AND deleted_at IS NULL
          AND ($2::uuid IS NULL OR id < $2::uuid)
        ORDER BY id DESC LIMIT $3`,
      [userId, after?.id ?? null, page.limit + 1],
    );
    return postPage(this.views, userId, rows, page.limit);
  }
}
