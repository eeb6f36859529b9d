import type { StreamingPart } from '../streaming-part.js';

/** search: its controllers, providers and module imports (streaming.module.ts spreads them). */
export const SEARCH_PART: StreamingPart = {
  imports: [],
  controllers: [],
  providers: [],
};
