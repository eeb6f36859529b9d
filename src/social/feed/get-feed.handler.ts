import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import type { PageQuery } from '@app/platform';
import type { FeedPage } from './feed.dto.js';
import { FeedReader } from './feed-reader.js';

/** A page of the viewer's home feed. */
export class GetFeed extends Query<FeedPage> {
  constructor(
    readonly viewerId: string,
    readonly page: PageQuery,
  ) {
    super();
  }
}

@QueryHandler(GetFeed)
export class GetFeedHandler implements IQueryHandler<GetFeed> {
  constructor(private readonly reader: FeedReader) {}

  execute({ viewerId, page }: GetFeed): Promise<FeedPage> {
    return this.reader.read(viewerId, page.limit, page.cursor);
  }
}
