import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsISO8601, IsOptional, Max, MaxLength, Min } from 'class-validator';
import { ContextSchema, QueryNumber } from '@app/platform';

/** The longest range channel analytics answer for, days (the hourly series stays ≤ 744 points). */
export const MAX_ANALYTICS_DAYS = 31;
/** Videos listed per channel (the most viewed in the range); the totals cover them all. */
export const MAX_ANALYTICS_VIDEOS = 100;

@ContextSchema('streaming')
export class ChannelAnalyticsQuery {
  @ApiPropertyOptional({
    format: 'date-time',
    description:
      'Start, ISO-8601 (its clock hour is included); default: 7 days before `to`. At most ' +
      `${MAX_ANALYTICS_DAYS} days before \`to\`.`,
  })
  @IsOptional()
  @MaxLength(40)
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'End, ISO-8601, exclusive (hours that start before it); default: now',
  })
  @IsOptional()
  @MaxLength(40)
  @IsISO8601({ strict: true })
  to?: string;
}

@ContextSchema('streaming')
export class AnalyticsNumbers {
  @ApiProperty({ type: 'integer', format: 'int64', example: 120, description: 'Counted views' })
  views: number;
  @ApiProperty({
    type: 'integer',
    format: 'int64',
    example: 5_400_000,
    description: 'Watched time reported by the players’ heartbeats, ms',
  })
  watchMs: number;
  @ApiProperty({
    type: 'integer',
    format: 'int64',
    example: 48,
    description: 'Sessions that reached 90 % of the video',
  })
  completions: number;
  @ApiProperty({
    type: 'number',
    format: 'float',
    example: 0.4,
    description:
      'completions / views (0 without views; at most 1: a replay within the hour completes again without a new view)',
  })
  completionRate: number;
}

@ContextSchema('streaming')
export class VideoAnalytics extends AnalyticsNumbers {
  @ApiProperty({ format: 'uuid', example: '0194f3a2-7c1e-7b40-9a8e-3f1c2d4b5a69' })
  videoId: string;
  @ApiProperty({ example: 'Mountain sunrise timelapse' }) title: string;
  @ApiProperty({
    type: 'integer',
    format: 'int64',
    example: 1_204,
    description: 'Views of all time (live, not from the rollup)',
  })
  lifetimeViews: number;
}

@ContextSchema('streaming')
export class HourlyAnalytics extends AnalyticsNumbers {
  @ApiProperty({ format: 'date-time', example: '2026-12-01T10:00:00.000Z' }) hour: string;
  @ApiProperty({
    type: 'integer',
    format: 'int32',
    example: 31,
    description: 'Distinct viewers who watched in the hour, summed over the videos',
  })
  uniqueViewers: number;
}

@ContextSchema('streaming')
export class ChannelAnalytics {
  @ApiProperty({ format: 'uuid', example: '0194f3a2-6b00-7c11-8d2e-1a2b3c4d5e6f' })
  channelId: string;
  @ApiProperty({
    format: 'date-time',
    example: '2026-11-24T10:00:00.000Z',
    description: 'The first hour included',
  })
  from: string;
  @ApiProperty({
    format: 'date-time',
    example: '2026-12-01T10:00:00.000Z',
    description: 'The end (exclusive)',
  })
  to: string;
  @ApiProperty({
    type: AnalyticsNumbers,
    description: 'Every video of the channel, over the range',
  })
  totals: AnalyticsNumbers;
  @ApiProperty({
    type: [VideoAnalytics],
    description: `Per video over the range, most viewed first (at most ${MAX_ANALYTICS_VIDEOS})`,
  })
  videos: VideoAnalytics[];
  @ApiProperty({
    type: [HourlyAnalytics],
    description: 'Every hour of the range, oldest first (zeros where nothing happened)',
  })
  hourly: HourlyAnalytics[];
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    example: '2026-12-01T10:05:00.000Z',
    description: 'When the rollup last recomputed an hour of this channel (null: never)',
  })
  computedAt: string | null;
}

@ContextSchema('streaming')
export class TrendingQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 50, default: 20 })
  @IsOptional()
  @QueryNumber()
  @IsInt()
  @Min(1)
  @Max(50)
  limit: number = 20;
}

@ContextSchema('streaming')
export class TrendingVideoView {
  @ApiProperty({ format: 'uuid', example: '0194f3a2-7c1e-7b40-9a8e-3f1c2d4b5a69' }) id: string;
  @ApiProperty({ format: 'uuid', example: '0194f3a2-6b00-7c11-8d2e-1a2b3c4d5e6f' })
  channelId: string;
  @ApiProperty({ example: 'Mountain sunrise timelapse' }) title: string;
  @ApiProperty({ type: [String], example: ['nature'] }) tags: string[];
  @ApiProperty({ type: 'integer', format: 'int32', example: 10_000 }) durationMs: number;
  @ApiProperty({ type: 'integer', format: 'int64', example: 1_204, description: 'All time' })
  views: number;
  @ApiProperty({ type: 'integer', format: 'int32', example: 37, description: 'In the last 48 h' })
  recentViews: number;
  @ApiProperty({
    type: 'number',
    format: 'double',
    example: 1.42,
    description: 'log10(1 + Σ 0.5^(age_h / 12)) over the views of the last 48 h',
  })
  score: number;
}

@ContextSchema('streaming')
export class TrendingPage {
  @ApiProperty({ type: [TrendingVideoView], description: 'Hottest first, then the newest' })
  items: TrendingVideoView[];
}
