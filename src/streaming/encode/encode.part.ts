import type { StreamingPart } from '../streaming-part.js';

/** encode: its controllers, providers and module imports (streaming.module.ts spreads them). */
export const ENCODE_PART: StreamingPart = {
  imports: [],
  controllers: [],
  providers: [],
};
