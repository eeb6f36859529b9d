import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ApiProblems,
  Authenticated,
  CurrentUser,
  Public,
  UuidParam,
  type Principal,
} from '@app/platform';
import type { FastifyReply } from 'fastify';
import { STREAMING_ERRORS } from '../streaming.error.js';
import { PlaybackView, PlayerQuery } from './playback.dto.js';
import { Playback } from './playback.service.js';
import { PLAYER_CSP } from './player-assets.js';

const ID = 'The video id (`POST /v1/streaming/videos` answered it)';

/** Signed playback URLs and the player page. */
@ApiTags('streaming')
@Controller('v1/streaming/videos')
export class PlaybackController {
  constructor(private readonly playback: Playback) {}

  @Get(':id/playback')
  @Authenticated()
  @ApiOperation({
    summary: 'A signed HLS playback URL for a READY video',
    description:
      'Answers the master playlist URL with an HMAC token in its path ' +
      '(`/v1/streaming/media/{id}/{token}/master.m3u8`), valid for STREAMING_PLAYBACK_TTL_SECONDS ' +
      '(6 h by default) for the master, every media playlist and every segment of this video ' +
      'only — the playlists’ URIs are relative, so they keep the token. A CDN caches on the path ' +
      'without the token segment and checks the token at its edge with the same key. Signed only ' +
      'for who may play the video: its channel and admins; anyone for `public` and `unlisted`; ' +
      'an active subscriber for `subscribers` (else 403 `streaming.subscription_required`). A ' +
      'private video of another channel answers 404 `streaming.video_not_found`, as an unknown ' +
      'id does; a video that is not READY 409 `streaming.invalid_state`. Public and unlisted ' +
      'videos also play unsigned: `/v1/streaming/media/{id}/public/master.m3u8`.',
  })
  @ApiOkResponse({ type: PlaybackView })
  @ApiProblems(STREAMING_ERRORS, [
    'streaming.video_not_found',
    'streaming.subscription_required',
    'streaming.invalid_state',
  ])
  getPlayback(
    @UuidParam('id', ID) id: string,
    @CurrentUser() user: Principal,
  ): Promise<PlaybackView> {
    return this.playback.sign(id, user);
  }

  @Get(':id/player')
  @Public()
  @ApiOperation({
    summary: 'A web page that plays the video (hls.js)',
    description:
      'An HTML page with a muted, autoplaying `<video>` fed by hls.js (served from this app ' +
      'under `/v1/streaming/player/`; Safari plays HLS itself). A public or unlisted READY video ' +
      'plays without a token (unsigned URLs); any other takes `?token=` from ' +
      '`GET /v1/streaming/videos/{id}/playback` (its `playerUrl`). Without a token a ' +
      'subscriber-only video answers 403 `streaming.playback_token_invalid`, an expired, ' +
      'tampered or other video’s token the same; a private or unknown video 404. The page has ' +
      'its own Content-Security-Policy: scripts from this origin only, `blob:` media for ' +
      'MediaSource.',
  })
  @ApiOkResponse({
    description: 'The player page',
    content: { 'text/html': { schema: { type: 'string', example: '<!doctype html>…' } } },
  })
  @ApiProblems(
    STREAMING_ERRORS,
    ['streaming.video_not_found', 'streaming.playback_token_invalid', 'streaming.invalid_state'],
    { validated: true },
  )
  async getPlayer(
    @UuidParam('id', ID) id: string,
    @Query() { token }: PlayerQuery,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const html = await this.playback.page(id, token);
    return reply
      .header('content-security-policy', PLAYER_CSP)
      .header('cache-control', 'private, no-store')
      .type('text/html; charset=utf-8')
      .send(html);
  }
}
