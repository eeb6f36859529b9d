import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ContextSchema, QueryNumber } from '@app/platform';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { REASONS, type Reason } from './recommender.js';

/** `?limit=` of the recommendation lists. */
export class RecommendationsQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 50, default: 20, example: 10 })
  @IsOptional()
  @QueryNumber()
  @IsInt()
  @Min(1)
  @Max(50)
  limit: number = 20;
}

/** A recommended video: its summary and why it is here. */
@ContextSchema('streaming')
export class RecommendedVideo {
  @ApiProperty({ format: 'uuid', example: '0194f3a2-7c1e-7b40-9a8e-3f1c2d4b5a69' })
  id: string;
  @ApiProperty({ example: 'Sunrise over the Alps, 4K timelapse' }) title: string;
  @ApiProperty({
    format: 'uuid',
    example: '0194f3a2-6b00-7c2a-8d11-2a9b3c4d5e6f',
    description: 'The channel (its uploader’s user id)',
  })
  channelId: string;
  @ApiProperty({ type: Number, nullable: true, example: 184_000 }) durationMs: number | null;
  @ApiProperty({ example: 1250, description: 'Counted views' }) views: number;
  @ApiProperty({
    enum: REASONS,
    example: 'because-you-watched',
    description:
      '`because-you-watched`: a neighbour of a video you watched recently; `watched-together`: ' +
      'viewers of the video asked about also watched this; `trending`: the most viewed ' +
      '(cold start, or to fill the list)',
  })
  reason: Reason;
  @ApiPropertyOptional({
    format: 'uuid',
    example: '0194f3a2-7c1e-7b40-9a8e-000000000001',
    description: 'The video that led here (absent for `trending`)',
  })
  becauseOf?: string;
}

/** A list of recommended videos, best first. */
@ContextSchema('streaming')
export class RecommendationList {
  @ApiProperty({ type: [RecommendedVideo] }) items: RecommendedVideo[];
}
