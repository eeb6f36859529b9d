import { defineContext } from '@app/platform';
import { ANALYTICS_ENTITIES } from './analytics/analytics.entity.js';
import { Rendition, Video, VideoTimelineEntry } from './content/video.entity.js';
import { StreamingSchema1796400000000 } from './migrations/1796400000000-StreamingSchema.js';
import { StreamingSearch1796400000100 } from './migrations/1796400000100-StreamingSearch.js';
import { StreamingAnalytics1796400000200 } from './migrations/1796400000200-StreamingAnalytics.js';
import { StreamingSubscriptions1796400000400 } from './migrations/1796400000400-StreamingSubscriptions.js';
import { StreamingConfig } from './streaming.config.js';
import { STREAMING_ERRORS } from './streaming.error.js';
import { StreamingModule } from './streaming.module.js';
import { SUBSCRIPTION_ENTITIES } from './subscriptions/subscription.entity.js';

/** Videos, the encode ladder, playback, search, analytics and subscriptions. Schema `streaming`. */
export const streamingContext = defineContext({
  name: 'streaming',
  description:
    'Video upload, the encode ladder to HLS, signed playback, search, recommendations, analytics and subscriptions',
  config: StreamingConfig,
  entities: [Video, Rendition, VideoTimelineEntry, ...ANALYTICS_ENTITIES, ...SUBSCRIPTION_ENTITIES],
  migrations: [
    StreamingSchema1796400000000,
    StreamingSearch1796400000100,
    StreamingAnalytics1796400000200,
    StreamingSubscriptions1796400000400,
  ],
  errors: STREAMING_ERRORS,
  module: StreamingModule,
});
