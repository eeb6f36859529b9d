import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { ContextSchema, OptionalField } from '@app/platform';
import type { Aggregation } from '../plans.js';

/** Meter keys: snake_case, like the built-in `api_calls`, `storage_bytes`, `compute_seconds`. */
export const METER_KEY = /^[a-z][a-z0-9_]{1,39}$/;
const EVENT_ID = /^[\x21-\x7e]{1,128}$/;
export const AGGREGATIONS: readonly Aggregation[] = ['sum', 'count', 'max', 'unique_count'];

@ContextSchema('saas')
export class UsageEventInput {
  @ApiProperty({
    example: 'evt_2026-12-01T10:00:00Z_42',
    pattern: EVENT_ID.source,
    maxLength: 128,
    description:
      'Your id for the event: a second event with the same id is a duplicate, counted once',
  })
  @IsString()
  @Matches(EVENT_ID)
  eventId: string;

  @ApiProperty({
    example: 'compute_seconds',
    pattern: METER_KEY.source,
    maxLength: 40,
    description: 'A built-in meter (`storage_bytes`, `compute_seconds`) or one you defined',
  })
  @IsString()
  @Matches(METER_KEY)
  meter: string;

  @ApiPropertyOptional({
    example: 42,
    minimum: 0,
    maximum: 1e15,
    default: 1,
    description: 'An integer; `count` and `unique_count` meters ignore it',
  })
  @OptionalField()
  @IsInt()
  @Min(0)
  @Max(1e15)
  value?: number;

  @ApiPropertyOptional({
    example: 'user-81',
    maxLength: 200,
    description: 'What a `unique_count` meter counts distinct values of',
  })
  @OptionalField()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  subject?: string;

  @ApiPropertyOptional({
    example: '2026-12-01T10:00:00.000Z',
    format: 'date-time',
    maxLength: 40,
    description: 'When it happened (default: now). At most 35 days back and 5 minutes ahead',
  })
  @MaxLength(40)
  @OptionalField()
  @IsISO8601({ strict: true })
  timestamp?: string;
}

@ContextSchema('saas')
export class UsageBatchRequest {
  @ApiProperty({ type: [UsageEventInput], minItems: 1, maxItems: 1000 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => UsageEventInput)
  events: UsageEventInput[];
}

export type UsageEventStatus = 'accepted' | 'duplicate' | 'rejected';

@ContextSchema('saas')
export class UsageEventResult {
  @ApiProperty({ example: 'evt_2026-12-01T10:00:00Z_42' }) eventId: string;
  @ApiProperty({ enum: ['accepted', 'duplicate', 'rejected'], example: 'accepted' })
  status: UsageEventStatus;
  @ApiPropertyOptional({
    enum: ['too_old', 'in_future', 'unknown_meter', 'reserved_meter', 'period_closed'],
    description: 'Why it was rejected',
  })
  reason?: string;
}

@ContextSchema('saas')
export class UsageBatchResult {
  @ApiProperty({ example: 99, description: 'New events, durably stored before this answer' })
  accepted: number;
  @ApiProperty({ example: 1, description: 'Events whose id was already stored (counted once)' })
  duplicates: number;
  @ApiProperty({ example: 0 }) rejected: number;
  @ApiProperty({ type: [UsageEventResult], description: 'One per event sent, in order' })
  results: UsageEventResult[];
}

@ContextSchema('saas')
export class UsageQuery {
  @ApiPropertyOptional({ pattern: METER_KEY.source, maxLength: 40, description: 'Only this meter' })
  @IsOptional()
  @IsString()
  @Matches(METER_KEY)
  meter?: string;
}

@ContextSchema('saas')
export class UsageDay {
  @ApiProperty({ example: '2026-12-01' }) day: string;
  @ApiProperty({ example: 1200 }) value: number;
}

@ContextSchema('saas')
export class MeterUsage {
  @ApiProperty({ example: 'api_calls' }) meter: string;
  @ApiProperty({ enum: AGGREGATIONS, example: 'sum' }) aggregation: string;
  @ApiProperty({
    example: 5400,
    description: 'The period so far (sum, count, max or distinct subjects)',
  })
  total: number;
  @ApiProperty({ type: [UsageDay] }) days: UsageDay[];
}

@ContextSchema('saas')
export class UsageView {
  @ApiProperty({ example: '2026-12-01T00:00:00.000Z' }) periodStart: string;
  @ApiProperty({ example: '2027-01-01T00:00:00.000Z' }) periodEnd: string;
  @ApiProperty({ type: [MeterUsage] }) meters: MeterUsage[];
}

@ContextSchema('saas')
export class CreateMeterRequest {
  @ApiProperty({ example: 'reports_generated', pattern: METER_KEY.source, maxLength: 40 })
  @IsString()
  @Matches(METER_KEY)
  key: string;

  @ApiProperty({ example: 'Reports generated', minLength: 1, maxLength: 100 })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  @ApiProperty({ enum: AGGREGATIONS, example: 'count', description: 'Lago’s and OpenMeter’s set' })
  @IsIn(AGGREGATIONS)
  aggregation: Aggregation;
}

@ContextSchema('saas')
export class MeterView {
  @ApiProperty({ example: 'reports_generated' }) key: string;
  @ApiProperty({ example: 'Reports generated' }) name: string;
  @ApiProperty({ enum: AGGREGATIONS, example: 'count' }) aggregation: string;
  @ApiProperty({
    example: false,
    description: 'Built-in meters are the platform’s (and priced by the plans)',
  })
  builtIn: boolean;
}

@ContextSchema('saas')
export class MeterList {
  @ApiProperty({ type: [MeterView] }) items: MeterView[];
}
