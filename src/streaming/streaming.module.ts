import { Module } from '@nestjs/common';
import { ContextRedisModule, StorageModule } from '@app/platform';
import { ANALYTICS_PART } from './analytics/analytics.part.js';
import { CONTENT_PART } from './content/content.part.js';
import { ENCODE_PART } from './encode/encode.part.js';
import { Ffmpeg } from './media-tools/ffmpeg.js';
import { PLAYBACK_PART } from './playback/playback.part.js';
import { RECOMMENDATIONS_PART } from './recommendations/recommendations.part.js';
import { SEARCH_PART } from './search/search.part.js';
import { SUBSCRIPTIONS_PART } from './subscriptions/subscriptions.part.js';

// Registration order is the order of the paths in the OpenAPI document.
const parts = [
  CONTENT_PART,
  ENCODE_PART,
  PLAYBACK_PART,
  SEARCH_PART,
  ANALYTICS_PART,
  RECOMMENDATIONS_PART,
  SUBSCRIPTIONS_PART,
];

/** Upload, the encode ladder, playback, search, analytics, recommendations, subscriptions. */
@Module({
  imports: [
    ContextRedisModule.forContext('streaming'),
    StorageModule,
    ...parts.flatMap((p) => p.imports),
  ],
  controllers: parts.flatMap((p) => p.controllers),
  providers: [Ffmpeg, ...parts.flatMap((p) => p.providers)],
})
export class StreamingModule {}
