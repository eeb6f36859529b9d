import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  MaxLength,
} from 'class-validator';
import { ContextSchema, OptionalField, PageQuery } from '@app/platform';
import { RENDITION_STATES, VIDEO_STATES, VISIBILITIES, type Visibility } from './video.entity.js';

export const MAX_TITLE = 200;
export const MAX_DESCRIPTION = 5000;
export const MAX_TAGS = 20;
export const MAX_TAG = 40;

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
/** Tags are kept trimmed and lower-cased, each once. */
const tags = ({ value }: { value: unknown }) =>
  Array.isArray(value)
    ? [...new Set(value.map((t) => (typeof t === 'string' ? t.trim().toLowerCase() : t)))]
    : value;

const ID_EXAMPLE = '0194f3a2-7c1e-7b40-9a8e-3f1c2d4b5a69';

@ContextSchema('streaming')
export class CreateVideoRequest {
  @ApiProperty({ example: 'Sunset over the bay', minLength: 1, maxLength: MAX_TITLE })
  @Transform(trim)
  @IsString()
  @Length(1, MAX_TITLE)
  title: string;

  @ApiPropertyOptional({ example: 'Shot on a phone, 4 minutes.', maxLength: MAX_DESCRIPTION })
  @OptionalField()
  @Transform(trim)
  @IsString()
  @MaxLength(MAX_DESCRIPTION)
  description?: string;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', minLength: 1, maxLength: MAX_TAG },
    maxItems: MAX_TAGS,
    example: ['travel', 'sea'],
    description: `Up to ${MAX_TAGS} tags of 1–${MAX_TAG} characters, kept lower-cased, each once`,
  })
  @OptionalField()
  @Transform(tags)
  @IsArray()
  @ArrayMaxSize(MAX_TAGS)
  @IsString({ each: true })
  @Length(1, MAX_TAG, { each: true })
  tags?: string[];

  @ApiPropertyOptional({
    enum: VISIBILITIES,
    default: 'public',
    description:
      '`public`: listed and searchable; `unlisted`: anyone with the id; `private`: only you; ' +
      '`subscribers`: listed, plays only for subscribers of your channel',
  })
  @OptionalField()
  @IsIn(VISIBILITIES)
  visibility?: Visibility;
}

/** Every field optional; those sent are changed. */
@ContextSchema('streaming')
export class UpdateVideoRequest {
  @ApiPropertyOptional({ example: 'Sunset over the bay (4K)', minLength: 1, maxLength: MAX_TITLE })
  @OptionalField()
  @Transform(trim)
  @IsString()
  @Length(1, MAX_TITLE)
  title?: string;

  @ApiPropertyOptional({ example: 'Re-cut.', maxLength: MAX_DESCRIPTION })
  @OptionalField()
  @Transform(trim)
  @IsString()
  @MaxLength(MAX_DESCRIPTION)
  description?: string;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', minLength: 1, maxLength: MAX_TAG },
    maxItems: MAX_TAGS,
    example: ['travel'],
    description: 'Replaces the tags',
  })
  @OptionalField()
  @Transform(tags)
  @IsArray()
  @ArrayMaxSize(MAX_TAGS)
  @IsString({ each: true })
  @Length(1, MAX_TAG, { each: true })
  tags?: string[];

  @ApiPropertyOptional({ enum: VISIBILITIES })
  @OptionalField()
  @IsIn(VISIBILITIES)
  visibility?: Visibility;
}

@ContextSchema('streaming')
export class ListVideosQuery extends PageQuery {
  @ApiPropertyOptional({
    format: 'uuid',
    minLength: 36,
    maxLength: 36,
    description: 'Only this channel’s videos (a channel is its uploader’s user id)',
  })
  @IsOptional()
  @IsUUID()
  channelId?: string;
}

/** Where to send the source of a video that is UPLOADING. */
@ContextSchema('streaming')
export class UploadLinks {
  @ApiProperty({
    example: `/v1/streaming/videos/${ID_EXAMPLE}/source`,
    description: 'POST `multipart/form-data` with the file in `file` (small files)',
  })
  multipartUrl: string;
  @ApiProperty({
    example: '/v1/streaming/uploads',
    description:
      'The tus 1.0 endpoint (resumable, for large files): create the upload with ' +
      '`Upload-Metadata: videoId <base64 of the id>`',
  })
  tusUrl: string;
}

@ContextSchema('streaming')
export class RenditionView {
  @ApiProperty({ example: '720p' }) name: string;
  @ApiProperty({ example: 1280 }) width: number;
  @ApiProperty({ example: 720 }) height: number;
  @ApiProperty({ enum: RENDITION_STATES, example: 'ENCODING' }) state: string;
  @ApiProperty({ example: 42.5, description: 'Encoding progress, 0–100' }) percent: number;
  @ApiProperty({ example: 1, description: 'Encode attempts so far' }) attempts: number;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The last lines of ffmpeg’s error when it failed',
  })
  error: string | null;
}

@ContextSchema('streaming')
export class TimelineEntryView {
  @ApiProperty({ example: 'UPLOADED', description: 'A state entered, or a step such as a retry' })
  state: string;
  @ApiProperty({ type: String, nullable: true, example: 'mov,mp4 1280×720 30 fps, 2.0 s' })
  detail: string | null;
  @ApiProperty({ format: 'date-time' }) at: string;
}

@ContextSchema('streaming')
export class VideoView {
  @ApiProperty({ format: 'uuid', example: ID_EXAMPLE, description: 'UUID v7' }) id: string;
  @ApiProperty({ format: 'uuid', description: 'The channel: its uploader’s user id' })
  channelId: string;
  @ApiProperty({ example: 'Sunset over the bay' }) title: string;
  @ApiProperty({ example: 'Shot on a phone.' }) description: string;
  @ApiProperty({ type: [String], example: ['travel', 'sea'] }) tags: string[];
  @ApiProperty({ enum: VISIBILITIES }) visibility: string;
  @ApiProperty({
    enum: VIDEO_STATES,
    description: '`UPLOADING → UPLOADED → PROCESSING → READY | FAILED`',
  })
  state: string;
  @ApiProperty({ type: String, nullable: true, description: 'Why it FAILED' })
  failureReason: string | null;
  @ApiProperty({ type: Number, nullable: true, example: 2000, description: 'Read by ffprobe' })
  durationMs: number | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 1280,
    description: 'Display width (rotation applied)',
  })
  width: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 720 }) height: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 30 }) fps: number | null;
  @ApiProperty({ type: Boolean, nullable: true }) hasAudio: boolean | null;
  @ApiProperty({ type: Number, nullable: true, example: 1870954 }) sourceBytes: number | null;
  @ApiProperty({ example: 0, description: 'Counted views' }) views: number;
  @ApiProperty({ type: [RenditionView], description: 'The ladder, highest first' })
  renditions: RenditionView[];
  @ApiProperty({ type: [TimelineEntryView], description: 'Oldest first' })
  timeline: TimelineEntryView[];
  @ApiPropertyOptional({
    type: UploadLinks,
    description: 'Only for its channel, while UPLOADING: where to send the file',
  })
  upload?: UploadLinks;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) readyAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

@ContextSchema('streaming')
export class VideoPage {
  @ApiProperty({ type: [VideoView] }) items: VideoView[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null on the last one',
  })
  nextCursor: string | null;
}
