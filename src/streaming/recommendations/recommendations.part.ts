import type { StreamingPart } from '../streaming-part.js';

/** recommendations: its controllers, providers and module imports (streaming.module.ts spreads them). */
export const RECOMMENDATIONS_PART: StreamingPart = {
  imports: [],
  controllers: [],
  providers: [],
};
