import type { StreamingPart } from '../streaming-part.js';
import { SearchController } from './search.controller.js';
import { SearchVideosHandler } from './search-videos.handler.js';

/** search: its controllers, providers and module imports (streaming.module.ts spreads them). */
export const SEARCH_PART: StreamingPart = {
  imports: [],
  controllers: [SearchController],
  providers: [SearchVideosHandler],
};
