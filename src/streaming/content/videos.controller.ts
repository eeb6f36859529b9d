import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  ApiProblems,
  Authenticated,
  CurrentUser,
  MultipartForm,
  MultipartUpload,
  Upload,
  UuidParam,
  type Principal,
} from '@app/platform';
import { StreamingConfig } from '../streaming.config.js';
import { STREAMING_ERRORS } from '../streaming.error.js';
import { UploadSource } from './upload-source.handler.js';
import {
  CreateVideoRequest,
  ListVideosQuery,
  UpdateVideoRequest,
  VideoPage,
  VideoView,
} from './video.dto.js';
import { CreateVideo, DeleteVideo, UpdateVideo } from './video-commands.js';
import { GetVideo, ListVideos } from './video-queries.js';

const ERRORS = STREAMING_ERRORS;
const ID = 'The video id (`POST /v1/streaming/videos` answered it)';

const CREATE = `Creates a video of your channel (you are the channel) in state \`UPLOADING\`; \
\`upload\` in the answer says where to send the file: \`POST /v1/streaming/videos/{id}/source\` \
(multipart, up to 200 MB by default) or the tus endpoint \`/v1/streaming/uploads\` (resumable, \
for large files; create the upload with \`Upload-Metadata: videoId <base64 id>\`). Then \
\`UPLOADED → PROCESSING → READY | FAILED\`: poll \`GET /v1/streaming/videos/{id}\`.`;

const SOURCE = `Send \`multipart/form-data\` with the file in \`file\`. Only the channel, only while \
\`UPLOADING\` (else 409 \`streaming.invalid_state\`). ffprobe reads the file before it is accepted: \
not a media container → 415 \`streaming.not_a_video\`; no video stream (audio only) → 422 \
\`streaming.no_video_stream\`; truncated or damaged → 422 \`streaming.corrupt_video\` with \
\`reason\`; longer than STREAMING_MAX_DURATION_SECONDS → 422 \`streaming.video_too_long\`; larger \
than STREAMING_MAX_MULTIPART_BYTES → 413 \`streaming.upload_too_large\` (use tus). A refused file \
leaves nothing stored and the video \`UPLOADING\` (its timeline says why: \`UPLOAD_REJECTED\`). An \
accepted one is stored, the video is \`UPLOADED\` with its duration, display size (rotation \
applied), frame rate and audio, and the encoder starts (\`streaming.video-uploaded\`).`;

/** Videos: create, read, list, change, delete, and the multipart source upload. */
@ApiTags('streaming')
@Authenticated()
@Controller('v1/streaming/videos')
export class VideosController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a video (then upload its file)', description: CREATE })
  @ApiCreatedResponse({ type: VideoView })
  @ApiProblems(ERRORS, [], { validated: true })
  createVideo(
    @CurrentUser() user: Principal,
    @Body() body: CreateVideoRequest,
  ): Promise<VideoView> {
    return this.commands.execute(new CreateVideo(user, body));
  }

  @Get()
  @ApiOperation({
    summary: 'Videos, newest first (cursor paged)',
    description:
      '`channelId` narrows to one channel. Your own videos come in every state and ' +
      'visibility; others’ only when READY and `public` or `subscribers` (unlisted and private ' +
      'videos are never listed).',
  })
  @ApiOkResponse({ type: VideoPage })
  @ApiProblems(ERRORS, [], { validated: true })
  listVideos(@CurrentUser() user: Principal, @Query() query: ListVideosQuery): Promise<VideoPage> {
    return this.queries.execute(new ListVideos(user, query));
  }

  @Get(':id')
  @ApiOperation({
    summary: 'A video: its state, timeline, renditions and encoding progress',
    description:
      '`renditions` lists the ladder with each rung’s state and percent while it encodes; ' +
      '`timeline` every state entered (and refusals, retries); `failureReason` why it FAILED. ' +
      'Someone else’s video is seen only when READY and not private (404 ' +
      '`streaming.video_not_found` otherwise, as for an unknown id). Watch it with ' +
      '`GET /v1/streaming/videos/{id}/playback`.',
  })
  @ApiOkResponse({ type: VideoView })
  @ApiProblems(ERRORS, ['streaming.video_not_found'])
  getVideo(@CurrentUser() user: Principal, @UuidParam('id', ID) id: string): Promise<VideoView> {
    return this.queries.execute(new GetVideo(user, id));
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change a video’s title, description, tags or visibility',
    description:
      'Only the fields sent change. Only its channel: 403 `streaming.not_channel_owner` for ' +
      'someone else’s video you can see, 404 for one you cannot.',
  })
  @ApiOkResponse({ type: VideoView })
  @ApiProblems(ERRORS, ['streaming.video_not_found', 'streaming.not_channel_owner'], {
    validated: true,
  })
  updateVideo(
    @CurrentUser() user: Principal,
    @UuidParam('id', ID) id: string,
    @Body() body: UpdateVideoRequest,
  ): Promise<VideoView> {
    return this.commands.execute(new UpdateVideo(user, id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a video and its files',
    description:
      'Removes the video, its renditions and timeline, then its stored objects (source, ' +
      'playlists, segments, poster, storyboard). Only its channel: 403 ' +
      '`streaming.not_channel_owner` for someone else’s video you can see, 404 otherwise.',
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(ERRORS, ['streaming.video_not_found', 'streaming.not_channel_owner'])
  deleteVideo(@CurrentUser() user: Principal, @UuidParam('id', ID) id: string): Promise<void> {
    return this.commands.execute(new DeleteVideo(user, id));
  }

  @Post(':id/source')
  @HttpCode(200)
  @MultipartUpload(
    'file',
    'The video file (MP4, WebM, QuickTime, Matroska…)',
    new StreamingConfig().STREAMING_MAX_MULTIPART_BYTES,
  )
  @ApiOperation({ summary: 'Upload a video’s file (multipart)', description: SOURCE })
  @ApiOkResponse({ type: VideoView })
  @ApiProblems(
    ERRORS,
    [
      'streaming.video_not_found',
      'streaming.not_channel_owner',
      'streaming.invalid_state',
      'streaming.upload_too_large',
      'streaming.not_a_video',
      'streaming.no_video_stream',
      'streaming.corrupt_video',
      'streaming.video_too_long',
    ],
    { validated: true },
  )
  uploadSource(
    @CurrentUser() user: Principal,
    @UuidParam('id', ID) id: string,
    @Upload() form: MultipartForm,
  ): Promise<VideoView> {
    return this.commands.execute(new UploadSource(user, id, form));
  }
}
