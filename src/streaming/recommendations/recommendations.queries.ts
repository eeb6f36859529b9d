import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import type { Viewer } from '../content/video-access.js';
import type { RecommendationList } from './recommendations.dto.js';
import { Recommender } from './recommender.js';

/** The videos watched together with one video. */
export class GetRelated extends Query<RecommendationList> {
  constructor(
    readonly videoId: string,
    readonly viewer: Viewer,
    readonly limit: number,
  ) {
    super();
  }
}

@QueryHandler(GetRelated)
export class GetRelatedHandler implements IQueryHandler<GetRelated> {
  constructor(private readonly recommender: Recommender) {}

  async execute({ videoId, viewer, limit }: GetRelated): Promise<RecommendationList> {
    return { items: await this.recommender.related(videoId, viewer, limit) };
  }
}

/** The viewer's personalised recommendations. */
export class GetRecommendations extends Query<RecommendationList> {
  constructor(
    readonly viewerId: string,
    readonly limit: number,
  ) {
    super();
  }
}

@QueryHandler(GetRecommendations)
export class GetRecommendationsHandler implements IQueryHandler<GetRecommendations> {
  constructor(private readonly recommender: Recommender) {}

  async execute({ viewerId, limit }: GetRecommendations): Promise<RecommendationList> {
    return { items: await this.recommender.forViewer(viewerId, limit) };
  }
}
