import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { ContextSchema, PageQuery, QueryNumber } from '@app/platform';
import { VISIBILITIES, type Visibility } from '../content/video.entity.js';

/** The longest duration filter accepted, ms (a day: longer than any upload may be). */
export const MAX_DURATION_FILTER_MS = 86_400_000;

// No examples on the filters: Swagger UI pre-fills a parameter's example, and a pre-filled
// channel or duration bound would silently narrow every search tried there.
@ContextSchema('streaming')
export class SearchVideosQuery extends PageQuery {
  @ApiPropertyOptional({
    description:
      'Words (letters and digits; anything else separates them), each matched as a prefix ' +
      'against the title (ranked highest), the tags, then the description; a video must match ' +
      'them all (`mount sunr` finds "Mountain sunrise"). When fewer than 5 videos match, ' +
      'videos whose title is close to the words are blended in below them (typo tolerance: ' +
      '`mountian` finds "Mountain"). Omit to browse everything matching the filters, newest ' +
      'first.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ description: 'Only videos with this tag (case-insensitive)' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  tag?: string;

  @ApiPropertyOptional({ description: 'Only videos of this channel (its uploader’s user id)' })
  @IsOptional()
  @IsUUID()
  channelId?: string;

  @ApiPropertyOptional({ description: 'Shortest duration, milliseconds, inclusive' })
  @IsOptional()
  @QueryNumber()
  @IsInt()
  @Min(0)
  @Max(MAX_DURATION_FILTER_MS)
  minDurationMs?: number;

  @ApiPropertyOptional({
    description: 'Longest duration, milliseconds, inclusive (not below `minDurationMs`)',
  })
  @IsOptional()
  @QueryNumber()
  @IsInt()
  @Min(0)
  @Max(MAX_DURATION_FILTER_MS)
  maxDurationMs?: number;
}

/** How a hit matched: the words (full text), a title close to them (typo), or no `q` at all. */
export const MATCHES = ['text', 'fuzzy', 'browse'] as const;
export type Match = (typeof MATCHES)[number];

@ContextSchema('streaming')
export class VideoSearchHit {
  @ApiProperty({ format: 'uuid', example: '0194f3a2-7c1e-7b40-9a8e-3f1c2d4b5a69' }) id: string;
  @ApiProperty({
    format: 'uuid',
    example: '0194f3a2-6b00-7c11-8d2e-1a2b3c4d5e6f',
    description: 'The channel: the uploader’s user id',
  })
  channelId: string;
  @ApiProperty({ example: 'Mountain sunrise timelapse' }) title: string;
  @ApiProperty({ example: 'Four hours of a sunrise over the Alps, in ten seconds.' })
  description: string;
  @ApiProperty({ type: [String], example: ['nature', 'timelapse'] }) tags: string[];
  @ApiProperty({
    enum: VISIBILITIES.filter((v) => v === 'public' || v === 'subscribers'),
    example: 'public',
    description: '`subscribers` videos are listed, but play only with an active subscription',
  })
  visibility: Visibility;
  @ApiProperty({ type: 'integer', format: 'int32', example: 10_000 }) durationMs: number;
  @ApiProperty({ type: 'integer', format: 'int64', example: 42, description: 'Counted views' })
  views: number;
  @ApiProperty({ format: 'date-time', example: '2026-12-01T10:00:00.000Z' }) createdAt: string;
  @ApiProperty({
    type: 'number',
    format: 'float',
    example: 1.42,
    description:
      'Relevance, higher first: full-text matches rank by ts_rank_cd (title > tags > ' +
      'description); blended typo matches (`match: fuzzy`) rank below every full-text match by ' +
      'title similarity; 0 when there is no `q`',
  })
  rank: number;
  @ApiProperty({ enum: MATCHES, example: 'text' }) match: Match;
}

@ContextSchema('streaming')
export class VideoSearchPage {
  @ApiProperty({
    type: [VideoSearchHit],
    description: 'READY `public` and `subscribers` videos only (never unlisted or private)',
  })
  items: VideoSearchHit[];
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'eyJyIjoiMS40MiIsImlkIjoiMDE5NGYzYTIiLCJtIjoidGV4dCJ9',
    description: 'Pass as `cursor` (with the same filters) for the next page; null on the last',
  })
  nextCursor: string | null;
}
