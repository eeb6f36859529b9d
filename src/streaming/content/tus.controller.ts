import { Controller, Delete, Head, Headers, HttpCode, Patch, Post, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiProblems, Authenticated, CurrentUser, type Principal, UuidParam } from '@app/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { StreamingConfig } from '../streaming.config.js';
import { STREAMING_ERRORS, StreamingError } from '../streaming.error.js';
import { SourceIntake } from './source-intake.js';
import { checkTusHeaders, parseUploadMetadata, TusUploads } from './tus-uploads.js';

const ERRORS = STREAMING_ERRORS;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TUS_RESUMABLE = ApiHeader({
  name: 'Tus-Resumable',
  required: true,
  schema: { type: 'string', enum: ['1.0.0'], maxLength: 10 },
});
const UPLOAD_ID = 'The upload id (the last segment of the creation answer’s `Location`)';

/**
 * The tus 1.0 resumable upload endpoint (core + creation + termination + expiration), for files
 * too large for multipart. Every request needs the channel's bearer token.
 */
@ApiTags('streaming')
@Authenticated()
@Controller('v1/streaming/uploads')
export class TusController {
  constructor(
    private readonly tus: TusUploads,
    private readonly intake: SourceIntake,
    private readonly config: StreamingConfig,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Create a resumable (tus) upload of a video’s file',
    description:
      'tus 1.0 creation: `Upload-Length` (at most STREAMING_MAX_UPLOAD_BYTES, else 413 ' +
      '`streaming.upload_too_large`) and `Upload-Metadata` with `videoId <base64 of the id>` ' +
      'of your video in UPLOADING (`POST /v1/streaming/videos`). Answers 201 with `Location`: ' +
      'send the bytes there with PATCH. Use any tus client (tus-js-client, Uppy, tusd’s CLI).',
  })
  @TUS_RESUMABLE
  @ApiHeader({ name: 'Upload-Length', required: true, schema: { type: 'string', maxLength: 20 } })
  @ApiHeader({
    name: 'Upload-Metadata',
    required: true,
    schema: { type: 'string', maxLength: 2000 },
  })
  @ApiResponse({ status: 201, description: 'Created; `Location` is the upload’s URL' })
  @ApiProblems(
    ERRORS,
    [
      'streaming.video_not_found',
      'streaming.not_channel_owner',
      'streaming.invalid_state',
      'streaming.upload_too_large',
      'streaming.tus_version_unsupported',
    ],
    { validated: true },
  )
  async createUpload(
    @CurrentUser() user: Principal,
    @Headers('upload-metadata') metadata: string | undefined,
    @Headers('upload-length') length: string | undefined,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const videoId = parseUploadMetadata(metadata)['videoId'];
    if (!videoId || !UUID.test(videoId)) {
      throw new StreamingError('streaming.video_not_found', 'Upload-Metadata must carry videoId.');
    }
    const max = this.config.STREAMING_MAX_UPLOAD_BYTES;
    if (length !== undefined && Number(length) > max) {
      throw new StreamingError('streaming.upload_too_large', `At most ${max} bytes.`, {
        maxBytes: max,
      });
    }
    await this.intake.uploadable(videoId, user);
    await this.pass(req, reply);
  }

  @Head(':uploadId')
  @ApiOperation({
    summary: 'How much of a tus upload the server has (`Upload-Offset`)',
    description: 'Resume from `Upload-Offset` with PATCH. 404 for an upload that is not yours.',
  })
  @TUS_RESUMABLE
  @ApiResponse({ status: 200, description: '`Upload-Offset` and `Upload-Length` headers' })
  @ApiProblems(ERRORS, ['streaming.upload_not_found', 'streaming.tus_version_unsupported'], {
    validated: true,
  })
  async headUpload(
    @CurrentUser() user: Principal,
    @UuidParam('uploadId', UPLOAD_ID) id: string,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.own(id, user);
    await this.pass(req, reply);
  }

  @Patch(':uploadId')
  @ApiOperation({
    summary: 'Send bytes of a tus upload from `Upload-Offset`',
    description:
      '`Content-Type: application/offset+octet-stream`. The PATCH that completes the file ' +
      'runs the same checks as the multipart upload (415/422 with the reason, nothing kept) ' +
      'and makes the video UPLOADED.',
  })
  @TUS_RESUMABLE
  @ApiHeader({ name: 'Upload-Offset', required: true, schema: { type: 'string', maxLength: 20 } })
  @ApiResponse({ status: 204, description: 'Stored; the new `Upload-Offset` in the headers' })
  @ApiProblems(ERRORS, [
    'streaming.upload_not_found',
    'streaming.not_a_video',
    'streaming.no_video_stream',
    'streaming.corrupt_video',
    'streaming.video_too_long',
    'streaming.invalid_state',
    'streaming.upload_too_large',
    'streaming.tus_version_unsupported',
    'streaming.tus_request_invalid',
    'streaming.tus_offset_mismatch',
  ])
  async patchUpload(
    @CurrentUser() user: Principal,
    @UuidParam('uploadId', UPLOAD_ID) id: string,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.own(id, user);
    await this.pass(req, reply);
  }

  @Delete(':uploadId')
  @ApiOperation({
    summary: 'Abandon an unfinished tus upload',
    description:
      'tus termination: the staged bytes are removed and the video stays UPLOADING (upload ' +
      'again, by tus or multipart). A finished upload cannot be terminated (404).',
  })
  @TUS_RESUMABLE
  @ApiResponse({ status: 204, description: 'Removed' })
  @ApiProblems(ERRORS, ['streaming.upload_not_found', 'streaming.tus_version_unsupported'], {
    validated: true,
  })
  async deleteUpload(
    @CurrentUser() user: Principal,
    @UuidParam('uploadId', UPLOAD_ID) id: string,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.own(id, user);
    await this.pass(req, reply);
  }

  /** The upload is for a video of the caller's (404 otherwise, as for an unknown id). */
  private async own(uploadId: string, user: Principal): Promise<void> {
    const videoId = await this.tus.videoOf(uploadId);
    await this.intake.uploadable(videoId, user).catch((err: unknown) => {
      if (err instanceof StreamingError && err.code === 'streaming.invalid_state') throw err;
      throw new StreamingError('streaming.upload_not_found', `No upload ${uploadId} of yours.`);
    });
  }

  private async pass(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    checkTusHeaders(req.raw);
    reply.hijack();
    await this.tus.handle(req.raw, reply.raw, reply.getHeaders());
  }
}
