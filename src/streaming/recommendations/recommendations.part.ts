import type { StreamingPart } from '../streaming-part.js';
import { CoVisitationConsumer, FinishedConsumer } from './reco.consumers.js';
import { RecoFeatures } from './reco-features.js';
import { RecommendationsController } from './recommendations.controller.js';
import { GetRecommendationsHandler, GetRelatedHandler } from './recommendations.queries.js';
import { Recommender } from './recommender.js';

/** recommendations: its controllers, providers and module imports (streaming.module.ts spreads them). */
export const RECOMMENDATIONS_PART: StreamingPart = {
  imports: [],
  controllers: [RecommendationsController],
  providers: [
    RecoFeatures,
    Recommender,
    CoVisitationConsumer,
    FinishedConsumer,
    GetRelatedHandler,
    GetRecommendationsHandler,
  ],
};
