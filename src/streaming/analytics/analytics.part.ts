import { BullModule } from '@nestjs/bullmq';
import type { StreamingPart } from '../streaming-part.js';
import { AnalyticsController } from './analytics.controller.js';
import { GetChannelAnalyticsHandler } from './channel-analytics.handler.js';
import { HeartbeatsController } from './heartbeats.controller.js';
import { RecordHeartbeatHandler } from './record-heartbeat.handler.js';
import { ROLLUP_QUEUE, RollupProcessor } from './rollup.processor.js';
import { Rollups } from './rollups.js';
import { Trending } from './trending.js';

/**
 * analytics: heartbeats (views, completions), the hourly rollup job, channel analytics and
 * trending (`Trending.top`, also used by recommendations for cold start).
 */
export const ANALYTICS_PART: StreamingPart = {
  imports: [BullModule.registerQueue({ name: ROLLUP_QUEUE })],
  controllers: [HeartbeatsController, AnalyticsController],
  providers: [
    RecordHeartbeatHandler,
    GetChannelAnalyticsHandler,
    Rollups,
    RollupProcessor,
    Trending,
  ],
};
