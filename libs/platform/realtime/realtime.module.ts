import { Global, Module } from '@nestjs/common';
import { Presence } from './presence.js';
import { Realtime } from './realtime.js';
import { RealtimeGateway } from './realtime.gateway.js';

/**
 * WebSockets at `/ws` (the gateway, bound only where there is an HTTP server) and `Realtime`,
 * which any context injects to push to users from any process. Imported by PlatformModule.
 */
@Global()
@Module({
  providers: [Presence, Realtime, RealtimeGateway],
  exports: [Realtime],
})
export class RealtimeModule {}
