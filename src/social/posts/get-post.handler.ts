import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { visiblePostView } from './post-access.js';
import type { PostView } from './post-view.dto.js';
import { PostViews } from './post-views.js';

/** One post as the viewer sees it (their own drafts included); 404 when hidden or deleted. */
export class GetPost extends Query<PostView> {
  constructor(
    readonly viewerId: string,
    readonly postId: string,
  ) {
    super();
  }
}

@QueryHandler(GetPost)
export class GetPostHandler implements IQueryHandler<GetPost> {
  constructor(private readonly views: PostViews) {}

  execute({ viewerId, postId }: GetPost): Promise<PostView> {
    return visiblePostView(this.views, viewerId, postId);
  }
}
