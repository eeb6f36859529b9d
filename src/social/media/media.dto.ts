import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { ContextSchema } from '@app/platform';
import type { MediaRow } from './media.entity.js';
import { mediaUrl, type MediaSize } from './media-urls.js';

export const MEDIA_SIZES: readonly MediaSize[] = ['original', 'display', 'thumb'];

const EXAMPLE_ID = '0194f3a2-7c1e-7b40-9a8e-3f1c2d4b5a69';

/** An uploaded image or video: what a client shows and where it fetches the bytes. */
@ContextSchema('social')
export class MediaView {
  @ApiProperty({
    format: 'uuid',
    example: EXAMPLE_ID,
    description: 'Use it in `mediaIds` of a post',
  })
  id: string;
  @ApiProperty({ enum: ['image', 'video'], example: 'image' }) kind: 'image' | 'video';
  @ApiProperty({
    example: 'image/jpeg',
    description: 'Detected from the bytes, never taken from the upload’s header or name',
  })
  contentType: string;
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 1280,
    description: 'Width of the display size in pixels (images; null for a video)',
  })
  width: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 960, description: 'Its height' })
  height: number | null;
  @ApiProperty({
    example: 482133,
    description: 'Bytes of `size=original` (an image’s metadata-stripped original)',
  })
  sizeBytes: number;
  @ApiProperty({
    example: `/v1/social/media/${EXAMPLE_ID}/content?size=display`,
    description: 'The display size of an image, the file itself for a video',
  })
  url: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: `/v1/social/media/${EXAMPLE_ID}/content?size=thumb`,
    description: 'A 320 px square thumbnail (images; null for a video)',
  })
  thumbnailUrl: string | null;
  @ApiProperty({ format: 'date-time', example: '2026-12-02T07:00:00.000Z' }) createdAt: string;
}

@ContextSchema('social')
export class MediaContentQuery {
  @ApiPropertyOptional({
    enum: MEDIA_SIZES,
    default: 'original',
    description: 'An image comes in all three; a video has only `original`',
  })
  @IsOptional()
  @IsIn(MEDIA_SIZES)
  size?: MediaSize;
}

/** The whitelisting mapper: only these fields ever leave (never the storage keys or the owner). */
export function toMediaView(row: MediaRow): MediaView {
  const isImage = row.kind === 'image';
  return {
    id: row.id,
    kind: row.kind,
    contentType: row.content_type,
    width: row.width,
    height: row.height,
    sizeBytes: Number(row.size_bytes),
    url: mediaUrl(row.id, isImage ? 'display' : 'original'),
    thumbnailUrl: isImage ? mediaUrl(row.id, 'thumb') : null,
    createdAt: row.created_at.toISOString(),
  };
}
