import type { StreamingPart } from '../streaming-part.js';

/** analytics: its controllers, providers and module imports (streaming.module.ts spreads them). */
export const ANALYTICS_PART: StreamingPart = {
  imports: [],
  controllers: [],
  providers: [],
};
