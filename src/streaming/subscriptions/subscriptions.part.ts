import type { StreamingPart } from '../streaming-part.js';
import { Entitlements } from './entitlements.js';

/** subscriptions: its controllers, providers and module imports (streaming.module.ts spreads them). */
export const SUBSCRIPTIONS_PART: StreamingPart = {
  imports: [],
  controllers: [],
  providers: [Entitlements],
};
