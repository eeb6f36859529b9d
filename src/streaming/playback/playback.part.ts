import type { StreamingPart } from '../streaming-part.js';

/** playback: its controllers, providers and module imports (streaming.module.ts spreads them). */
export const PLAYBACK_PART: StreamingPart = {
  imports: [],
  controllers: [],
  providers: [],
};
