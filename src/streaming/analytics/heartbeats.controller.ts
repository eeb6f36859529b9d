import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, Authenticated, CurrentUser, UuidParam, type Principal } from '@app/platform';
import { STREAMING_ERRORS } from '../streaming.error.js';
import { HeartbeatRequest, HeartbeatResponse } from './heartbeat.dto.js';
import { RecordHeartbeat } from './record-heartbeat.handler.js';

/** The player's watch heartbeats: views, watch time, completions. */
@ApiTags('streaming')
@Authenticated()
@Controller('v1/streaming/videos/:id/heartbeats')
export class HeartbeatsController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Report watching (player heartbeat, every ~5 s)',
    description:
      'The player sends one every few seconds while playing (and on play, pause and ended) ' +
      'with its session id, the playhead and the time watched since the previous one (at ' +
      'most 30 s counts). A **view** counts once the session has watched 10 s (the whole ' +
      'video when shorter), at most once per viewer per video per hour (PeerTube’s rule, ' +
      'safe under concurrent heartbeats); reaching 90 % of the duration is a completion, once ' +
      'per session. Both feed the channel’s analytics (hourly rollup), trending and your ' +
      'recommendations. The video must be one you may play: 404 ' +
      '`streaming.video_not_found` when you cannot see it, 403 ' +
      '`streaming.subscription_required` for a subscriber video without a subscription.',
  })
  @ApiAcceptedResponse({ type: HeartbeatResponse })
  @ApiProblems(STREAMING_ERRORS, ['streaming.video_not_found', 'streaming.subscription_required'], {
    validated: true,
  })
  recordHeartbeat(
    @CurrentUser() user: Principal,
    @UuidParam('id', 'The video id') id: string,
    @Body() body: HeartbeatRequest,
  ): Promise<HeartbeatResponse> {
    return this.commands.execute(new RecordHeartbeat(user, id, body));
  }
}
