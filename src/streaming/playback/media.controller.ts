import { Controller, Get, Headers, HttpCode, Param, Res } from '@nestjs/common';
import {
  ApiNotModifiedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPartialContentResponse,
  ApiTags,
} from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { ApiProblems, Public, UuidParam } from '@app/platform';
import type { FastifyReply } from 'fastify';
import { STREAMING_ERRORS, StreamingError } from '../streaming.error.js';
import { MEDIA_FILE_PATTERN, RENDITION_PATTERN, type RequestHeaders } from './media-files.js';
import { MediaServer, sendMedia } from './media-server.js';
import { TOKEN_MAX_LENGTH } from './playback-token.js';
import { PLAYER_ASSET_PATTERN, PlayerAssets } from './player-assets.js';

const VIDEO_ID = 'The video id';
const TOKEN = {
  name: 'token',
  description:
    'The playback token of `GET /v1/streaming/videos/{id}/playback`, or `public` for a public ' +
    'or unlisted video. A CDN drops this segment from its cache key.',
  schema: {
    type: 'string' as const,
    maxLength: TOKEN_MAX_LENGTH,
    pattern: '^(public|v1\\.[0-9a-z]{1,11}\\.[A-Za-z0-9_-]{43})$',
    example: 'public',
  },
};
const FILE = {
  name: 'file',
  description: '`master.m3u8`, `poster.jpg`, or in a rendition `index.m3u8`, `init.mp4`, segments',
  schema: {
    type: 'string' as const,
    maxLength: 100,
    pattern: MEDIA_FILE_PATTERN,
    example: 'master.m3u8',
  },
};
const RENDITION = {
  name: 'rendition',
  description: 'A rendition of the ladder, as the master playlist names it',
  schema: { type: 'string' as const, maxLength: 32, pattern: RENDITION_PATTERN, example: '720p' },
};
const TYPES = ['application/vnd.apple.mpegurl', 'video/iso.segment', 'video/mp4', 'image/jpeg'];
const BYTES = Object.fromEntries(TYPES.map((t) => [t, {}]));
const SERVING =
  'Answers carry the type of the extension (`.m3u8` `application/vnd.apple.mpegurl`, `.m4s` ' +
  '`video/iso.segment`, `.mp4` `video/mp4`, `.ts` `video/mp2t`, `.jpg` `image/jpeg`), ' +
  '`Cache-Control` (segments `public, max-age=31536000, immutable`, playlists ' +
  '`public, max-age=5`), a strong `ETag` (`If-None-Match` → 304) and `Accept-Ranges: bytes` ' +
  '(one `Range` → 206 with `Content-Range`, 416 `streaming.media_range_not_satisfiable` past the ' +
  'end). Hot files come from the origin shield (an in-process LRU in front of storage). A bad ' +
  'token answers 403 `streaming.playback_token_invalid`; `public` for a subscriber-only video ' +
  'the same, for a private or unknown one 404 `streaming.video_not_found`; a file the package ' +
  'does not have 404 `streaming.media_not_found`. Not rate limited (players fetch a segment ' +
  'every few seconds; a CDN sits in front).';
const MEDIA_PROBLEMS = [
  'streaming.playback_token_invalid',
  'streaming.video_not_found',
  'streaming.media_not_found',
  'streaming.media_range_not_satisfiable',
] as const;

/** The files of a video's HLS package (signed or public), and the player's scripts. */
@ApiTags('streaming')
@Controller('v1/streaming')
@Public()
@SkipThrottle()
export class MediaController {
  constructor(
    private readonly media: MediaServer,
    private readonly assets: PlayerAssets,
  ) {}

  @Get('media/:videoId/:token/:file')
  @HttpCode(200)
  @ApiOperation({
    summary: 'A top-level file of a video’s HLS package (the master playlist, the poster)',
    description: `The URL \`GET /v1/streaming/videos/{id}/playback\` answers. ${SERVING}`,
  })
  @ApiParam(TOKEN)
  @ApiParam(FILE)
  @ApiOkResponse({ description: 'The file', content: BYTES })
  @ApiPartialContentResponse({ description: 'The requested byte range', content: BYTES })
  @ApiNotModifiedResponse({ description: 'Your copy (`If-None-Match`) is current' })
  @ApiProblems(STREAMING_ERRORS, [...MEDIA_PROBLEMS], { validated: true })
  getMediaFile(
    @UuidParam('videoId', VIDEO_ID) videoId: string,
    @Param('token') token: string,
    @Param('file') file: string,
    @Headers() headers: RequestHeaders,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    return this.media.serve({ videoId, token, file, headers }).then((a) => sendMedia(reply, a));
  }

  @Get('media/:videoId/:token/:rendition/:file')
  @HttpCode(200)
  @ApiOperation({
    summary: 'A file of one rendition: its media playlist, init segment or a media segment',
    description: `The URIs of the master and media playlists, resolved against them. ${SERVING}`,
  })
  @ApiParam(TOKEN)
  @ApiParam(RENDITION)
  @ApiParam({ ...FILE, schema: { ...FILE.schema, example: 'seg-00001.m4s' } })
  @ApiOkResponse({ description: 'The file', content: BYTES })
  @ApiPartialContentResponse({ description: 'The requested byte range', content: BYTES })
  @ApiNotModifiedResponse({ description: 'Your copy (`If-None-Match`) is current' })
  @ApiProblems(STREAMING_ERRORS, [...MEDIA_PROBLEMS], { validated: true })
  getRenditionFile(
    @UuidParam('videoId', VIDEO_ID) videoId: string,
    @Param('token') token: string,
    @Param('rendition') rendition: string,
    @Param('file') file: string,
    @Headers() headers: RequestHeaders,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    return this.media
      .serve({ videoId, token, rendition, file, headers })
      .then((a) => sendMedia(reply, a));
  }

  @Get('player/:asset')
  @ApiOperation({
    summary: 'A script of the player page (hls.js, the page’s own)',
    description:
      'hls.js from `node_modules/hls.js/dist/hls.min.js` and the player page’s script, under ' +
      'names with a hash of their bytes (the page links the current ones), so cached for a year. ' +
      'Another name answers 404 `streaming.media_not_found`.',
  })
  @ApiParam({
    name: 'asset',
    description: 'As the player page names it',
    schema: {
      type: 'string',
      maxLength: 40,
      pattern: PLAYER_ASSET_PATTERN,
      example: 'hls-0123456789ab.min.js',
    },
  })
  @ApiOkResponse({
    description: 'The script',
    content: { 'text/javascript': { schema: { type: 'string' } } },
  })
  @ApiProblems(STREAMING_ERRORS, ['streaming.media_not_found'], { validated: true })
  getPlayerAsset(@Param('asset') name: string, @Res() reply: FastifyReply): FastifyReply {
    const asset = this.assets.find(name);
    if (!asset) throw new StreamingError('streaming.media_not_found', `No player script ${name}.`);
    return reply
      .headers({
        'content-type': 'text/javascript; charset=utf-8',
        'cache-control': 'public, max-age=31536000, immutable',
        etag: asset.etag,
      })
      .send(asset.body);
  }
}
