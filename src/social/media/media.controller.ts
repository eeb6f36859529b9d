import { Controller, Get, Headers, HttpCode, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiCreatedResponse,
  ApiNotModifiedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPartialContentResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  ApiProblems,
  Authenticated,
  CurrentUser,
  MultipartForm,
  MultipartUpload,
  Public,
  Upload,
  UuidParam,
  type Principal,
} from '@app/platform';
import type { FastifyReply } from 'fastify';
import { SocialConfig } from '../social.config.js';
import { SOCIAL_ERRORS } from '../social.error.js';
import { GetMediaContent } from './get-media-content.handler.js';
import { GetMedia } from './get-media.handler.js';
import { sendMediaContent } from './media-content.js';
import { MediaContentQuery, MediaView } from './media.dto.js';
import { MEDIA_TYPES } from './media-files.js';
import { UploadMedia } from './upload-media.handler.js';

const ERRORS = SOCIAL_ERRORS;
const BYTES = Object.fromEntries(Object.keys(MEDIA_TYPES).map((type) => [type, {}]));
const ID = 'The media id `POST /v1/social/media` answered';

/** Uploads (images and videos) and serving them. */
@ApiTags('social')
@Controller('v1/social/media')
export class MediaController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @Authenticated()
  @MultipartUpload(
    'file',
    'The image (JPEG, PNG, WebP, GIF) or video (MP4, WebM, QuickTime)',
    new SocialConfig().SOCIAL_MEDIA_MAX_VIDEO_BYTES,
  )
  @ApiOperation({
    summary: 'Upload an image or a video for a post or your avatar',
    description:
      'Send `multipart/form-data` with one file in the field `file`. Its type is read from its ' +
      'first bytes, never from its name or header: JPEG, PNG, WebP and GIF images (at most ' +
      '10 MB by default), MP4, WebM and QuickTime videos (100 MB); anything else answers 415 ' +
      '`social.media_unsupported`, a larger file 413 `social.media_too_large` as soon as the ' +
      'limit is passed, and neither leaves anything stored. An image is turned upright and ' +
      'stripped of all metadata (EXIF with its GPS position included) and kept in three sizes: ' +
      'the original, a display size (1280 px on its longest side) and a 320 px thumbnail. A ' +
      'video is stored as sent and handed to streaming. Then attach the id to a post ' +
      '(`mediaIds` of `POST /v1/social/posts`, up to 4) or make it your avatar ' +
      '(`PATCH /v1/social/profiles/me`).',
  })
  @ApiCreatedResponse({ type: MediaView })
  @ApiProblems(ERRORS, ['social.media_too_large', 'social.media_unsupported'], {
    validated: true,
  })
  uploadMedia(@CurrentUser() user: Principal, @Upload() form: MultipartForm): Promise<MediaView> {
    return this.commands.execute(new UploadMedia(user.userId, form));
  }

  @Get(':id')
  @Public()
  @ApiOperation({
    summary: 'An upload’s type, dimensions and URLs',
    description:
      'Public, like the bytes themselves (`<img>` and `<video>` send no token; ids are ' +
      'unguessable UUIDs, as Mastodon serves media). `url` is what to show, `thumbnailUrl` the ' +
      'thumbnail of an image. An unknown id answers 404 `social.media_not_found`.',
  })
  @ApiOkResponse({ type: MediaView })
  @ApiProblems(ERRORS, ['social.media_not_found'], { validated: true })
  getMedia(@UuidParam('id', ID) id: string): Promise<MediaView> {
    return this.queries.execute(new GetMedia(id));
  }

  @Get(':id/content')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'The bytes of an upload, in one of its sizes',
    description:
      'Public (no token: for `<img src>` and `<video src>`). `size=original` (default), ' +
      '`display` or `thumb` for an image — all metadata-stripped; a video has only `original` ' +
      '(another size answers 400). Answers carry `ETag`, `Cache-Control: public, ' +
      'max-age=31536000, immutable` (an id never changes content) and `Accept-Ranges: bytes`: ' +
      '`If-None-Match` with the ETag answers 304, one `Range: bytes=a-b` answers 206 with ' +
      '`Content-Range` (416 `social.media_range_not_satisfiable` when it starts past the end), ' +
      'as video players ask (`If-Range` with another ETag: the whole file). A `Range` over 100 ' +
      'characters or an `If-None-Match` over 200 answers 400. An unknown id answers 404 ' +
      '`social.media_not_found`.',
  })
  @ApiOkResponse({ description: 'The whole file, in its detected type', content: BYTES })
  @ApiPartialContentResponse({ description: 'The requested byte range', content: BYTES })
  @ApiNotModifiedResponse({ description: 'Your copy (`If-None-Match`) is current' })
  @ApiProblems(ERRORS, ['social.media_not_found', 'social.media_range_not_satisfiable'], {
    validated: true,
  })
  getMediaContent(
    @UuidParam('id', ID) id: string,
    @Query() { size }: MediaContentQuery,
    @Headers() headers: Record<string, string | string[] | undefined>,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const query = new GetMediaContent(id, size ?? 'original', headers);
    return this.queries.execute(query).then((content) => sendMediaContent(reply, content));
  }
}
