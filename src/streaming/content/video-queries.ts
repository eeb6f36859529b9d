import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { ADMIN_ROLE, decodeCursor, toPage, type Principal } from '@app/platform';
import { DataSource } from 'typeorm';
import type { ListVideosQuery, VideoPage, VideoView } from './video.dto.js';
import type { VideoRow } from './video.entity.js';
import { VideoAccess } from './video-access.js';
import { VideoViews } from './video-views.js';

type Caller = Pick<Principal, 'userId' | 'roles'>;

/** One video as the caller may see it (its channel: every state; others: READY, not private). */
export class GetVideo extends Query<VideoView> {
  constructor(
    readonly caller: Caller,
    readonly videoId: string,
  ) {
    super();
  }
}

/**
 * Videos newest first (by id: UUID v7), cursor paged. The caller's own channel in every state;
 * others' only READY and `public` or `subscribers` (unlisted and private stay out of lists).
 */
export class ListVideos extends Query<VideoPage> {
  constructor(
    readonly caller: Caller,
    readonly query: ListVideosQuery,
  ) {
    super();
  }
}

@QueryHandler(GetVideo)
export class GetVideoHandler implements IQueryHandler<GetVideo> {
  constructor(
    private readonly access: VideoAccess,
    private readonly views: VideoViews,
  ) {}

  async execute({ caller, videoId }: GetVideo): Promise<VideoView> {
    return this.views.one(await this.access.visible(videoId, caller), caller);
  }
}

@QueryHandler(ListVideos)
export class ListVideosHandler implements IQueryHandler<ListVideos> {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly views: VideoViews,
  ) {}

  async execute({ caller, query }: ListVideos): Promise<VideoPage> {
    const after = decodeCursor<{ id: string }>(query.cursor, { id: 'uuid' });
    const admin = caller.roles.includes(ADMIN_ROLE);
    const rows = await this.db.query<VideoRow[]>(
      `SELECT * FROM streaming.videos v
        WHERE ($2::uuid IS NULL OR v.channel_id = $2)
          AND ($3::uuid IS NULL OR v.id < $3)
          AND ($5 OR v.channel_id = $1
               OR (v.state = 'READY' AND v.visibility IN ('public', 'subscribers')))
        ORDER BY v.id DESC
        LIMIT $4`,
      [caller.userId, query.channelId ?? null, after?.id ?? null, query.limit + 1, admin],
    );
    const page = toPage(
      rows,
      query.limit,
      (r) => r,
      (r) => ({ id: r.id }),
    );
    return {
      items: await this.views.many(page.items, caller),
      nextCursor: page.nextCursor,
    };
  }
}
