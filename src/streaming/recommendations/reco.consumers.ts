import { Injectable, Logger } from '@nestjs/common';
import { Consumes, type IntegrationEventConsumer } from '@app/platform';
import { ViewCounted, WatchCompleted } from '../streaming.events.js';
import { RecoFeatures } from './reco-features.js';

/**
 * A counted view → the co-visitation features (the viewer's history, `c_i`, `c_ij`). Written
 * inside the inbox transaction: a Redis failure throws, rolls back and is retried; a repeat after
 * a failed commit counts nothing (the script is idempotent per view: reco-keys.ts).
 */
@Injectable()
@Consumes(ViewCounted, 'streaming.co-visitation')
export class CoVisitationConsumer implements IntegrationEventConsumer<ViewCounted> {
  private readonly logger = new Logger(CoVisitationConsumer.name);

  constructor(private readonly features: RecoFeatures) {}

  async consume(event: ViewCounted): Promise<void> {
    const { viewerId, videoId, at } = event.payload;
    const time = Date.parse(at);
    if (!Number.isFinite(time)) {
      // A malformed event cannot become valid on retry: log it and let it go.
      this.logger.error(`streaming.view-counted ${event.metadata?.id} has no valid "at": ${at}`);
      return;
    }
    await this.features.recordView(viewerId, videoId, time);
  }
}

/** A finished watch → the viewer's finished set (never recommended to them again). */
@Injectable()
@Consumes(WatchCompleted, 'streaming.reco-finished')
export class FinishedConsumer implements IntegrationEventConsumer<WatchCompleted> {
  private readonly logger = new Logger(FinishedConsumer.name);

  constructor(private readonly features: RecoFeatures) {}

  async consume(event: WatchCompleted): Promise<void> {
    const { viewerId, videoId, at } = event.payload;
    const time = Date.parse(at);
    if (!Number.isFinite(time)) {
      this.logger.error(`streaming.watch-completed ${event.metadata?.id} has no valid "at": ${at}`);
      return;
    }
    await this.features.recordFinished(viewerId, videoId, time);
  }
}
