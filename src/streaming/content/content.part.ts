import type { StreamingPart } from '../streaming-part.js';
import { VideoAccess } from './video-access.js';

/** content: its controllers, providers and module imports (streaming.module.ts spreads them). */
export const CONTENT_PART: StreamingPart = {
  imports: [],
  controllers: [],
  providers: [VideoAccess],
};
