import type { StreamingPart } from '../streaming-part.js';
import { MediaController } from './media.controller.js';
import { MediaServer } from './media-server.js';
import { OriginShield } from './origin-shield.js';
import { PlaybackController } from './playback.controller.js';
import { PlaybackTokens } from './playback-token.js';
import { Playback } from './playback.service.js';
import { PlayerAssets } from './player-assets.js';

/** playback: its controllers, providers and module imports (streaming.module.ts spreads them). */
export const PLAYBACK_PART: StreamingPart = {
  imports: [],
  controllers: [PlaybackController, MediaController],
  providers: [PlaybackTokens, OriginShield, MediaServer, Playback, PlayerAssets],
};
