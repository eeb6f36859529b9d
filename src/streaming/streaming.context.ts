import { defineContext } from '@app/platform';
import { Rendition, Video, VideoTimelineEntry } from './content/video.entity.js';
import { StreamingSchema1796400000000 } from './migrations/1796400000000-StreamingSchema.js';
import { StreamingConfig } from './streaming.config.js';
import { STREAMING_ERRORS } from './streaming.error.js';
import { StreamingModule } from './streaming.module.js';

/** Videos, the encode ladder, playback, search, analytics and subscriptions. Schema `streaming`. */
export const streamingContext = defineContext({
  name: 'streaming',
  description:
    'Video upload, the encode ladder to HLS, signed playback, search, recommendations, analytics and subscriptions',
  config: StreamingConfig,
  entities: [Video, Rendition, VideoTimelineEntry],
  migrations: [StreamingSchema1796400000000],
  errors: STREAMING_ERRORS,
  module: StreamingModule,
});
