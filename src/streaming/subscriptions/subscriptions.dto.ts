import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { ContextSchema, IsCurrency, OptionalField } from '@app/platform';
import {
  SUBSCRIPTION_STATUSES,
  type ChargeRow,
  type ChargeStatus,
  type PlanRow,
  type SubscriptionRow,
  type SubscriptionStatus,
} from './subscription.entity.js';

const EXAMPLE_ID = '0194f3a2-7c1e-7b40-9a8e-3f1c2d4b5a69';
const EXAMPLE_CHANNEL = '0194f3a2-6b0d-7a31-8e7f-2e0b1c3a4958';
/** A vaulted card token (`POST /v1/payments/cards`); its format only is checked here. */
const CARD_TOKEN = /^tok_[A-Za-z0-9_-]{20,64}$/;
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

@ContextSchema('streaming')
export class CreatePlanRequest {
  @ApiProperty({ example: 'Supporter', minLength: 1, maxLength: 80 })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(80)
  name: string;

  @ApiProperty({
    example: 499,
    minimum: 1,
    maximum: 100_000_000,
    description: 'Price per month in minor units (cents): an integer above 0',
  })
  @IsInt()
  @Min(1)
  @Max(100_000_000)
  monthlyPrice: number;

  @ApiProperty({ example: 'EUR', minLength: 3, maxLength: 3, description: 'ISO 4217' })
  @MaxLength(3)
  @IsCurrency()
  currency: string;

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    example: EXAMPLE_CHANNEL,
    minLength: 36,
    maxLength: 36,
    description:
      'Your channel (your user id, the default). `null`: a platform plan, entitling its ' +
      'subscribers to every channel — admins only',
  })
  @IsOptional()
  @IsUUID()
  channelId?: string | null;
}

@ContextSchema('streaming')
export class PlanView {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID }) id: string;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    example: EXAMPLE_CHANNEL,
    description: 'The channel; null for a platform plan (every channel)',
  })
  channelId: string | null;
  @ApiProperty({ example: 'Supporter' }) name: string;
  @ApiProperty({ example: 499, description: 'Minor units per month' }) monthlyPrice: number;
  @ApiProperty({ example: 'EUR' }) currency: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

@ContextSchema('streaming')
export class PlanList {
  @ApiProperty({ type: [PlanView] }) items: PlanView[];
}

export const toPlanView = (p: PlanRow): PlanView => ({
  id: p.id,
  channelId: p.channel_id,
  name: p.name,
  monthlyPrice: p.monthly_price,
  currency: p.currency.trim(),
  createdAt: new Date(p.created_at).toISOString(),
});

@ContextSchema('streaming')
export class SubscribeRequest {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID, minLength: 36, maxLength: 36 })
  @IsUUID()
  planId: string;

  @ApiProperty({
    example: 'tok_V1StGXR8_Z5jdHi6B-myTqLw',
    maxLength: 68,
    description: 'One of your card tokens, from POST /v1/payments/cards; charged every month',
  })
  @IsString()
  @MaxLength(68)
  @Matches(CARD_TOKEN, { message: 'cardToken must be a card token' })
  cardToken: string;
}

@ContextSchema('streaming')
export class UpdateSubscriptionRequest {
  @ApiPropertyOptional({
    example: 'tok_V1StGXR8_Z5jdHi6B-myTqLw',
    maxLength: 68,
    description:
      'Another of your card tokens for the next charges; a past-due renewal is retried with it at once',
  })
  @OptionalField()
  @IsString()
  @MaxLength(68)
  @Matches(CARD_TOKEN, { message: 'cardToken must be a card token' })
  cardToken?: string;
}

@ContextSchema('streaming')
export class ChargeView {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID }) id: string;
  @ApiProperty({ format: 'date-time' }) periodStart: string;
  @ApiProperty({ format: 'date-time' }) periodEnd: string;
  @ApiProperty({ example: 499 }) amount: number;
  @ApiProperty({ example: 'EUR' }) currency: string;
  @ApiProperty({
    enum: ['PENDING', 'PAID', 'RETRY', 'FAILED'],
    example: 'PAID',
    description: 'RETRY: a renewal that failed and will be charged again at `nextAttemptAt`',
  })
  status: ChargeStatus;
  @ApiProperty({ example: 1, description: 'Charge requests sent for this period' })
  attempts: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextAttemptAt: string | null;
  @ApiProperty({ type: String, nullable: true, example: null, description: 'e.g. card_declined' })
  failureReason: string | null;
}

@ContextSchema('streaming')
export class SubscriptionView {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID }) id: string;
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID }) planId: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, example: EXAMPLE_CHANNEL })
  channelId: string | null;
  @ApiProperty({
    enum: SUBSCRIPTION_STATUSES,
    example: 'ACTIVE',
    description:
      'PENDING (first charge asked) → ACTIVE (paid until currentPeriodEnd) ⇄ PAST_DUE (a ' +
      'renewal failed; still entitled until graceUntil while it is retried) → LAPSED; ' +
      'INCOMPLETE: the first charge failed; CANCELED: ended at the period end after a cancel',
  })
  status: SubscriptionStatus;
  @ApiProperty({ example: 499 }) amount: number;
  @ApiProperty({ example: 'EUR' }) currency: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  currentPeriodStart: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  currentPeriodEnd: string | null;
  @ApiProperty({ example: false }) cancelAtPeriodEnd: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) graceUntil: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) endedAt: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'Why the last charge failed',
  })
  failureReason: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: [ChargeView], description: 'Its charges, newest period first (at most 12)' })
  charges: ChargeView[];
}

@ContextSchema('streaming')
export class SubscriptionPage {
  @ApiProperty({ type: [SubscriptionView] }) items: SubscriptionView[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor`; null at the end' })
  nextCursor: string | null;
}

export const toChargeView = (c: ChargeRow): ChargeView => ({
  id: c.id,
  periodStart: new Date(c.period_start).toISOString(),
  periodEnd: new Date(c.period_end).toISOString(),
  amount: c.amount,
  currency: c.currency,
  status: c.status,
  attempts: c.attempts,
  nextAttemptAt: iso(c.next_attempt_at),
  failureReason: c.failure_reason,
});

export const toSubscriptionView = (s: SubscriptionRow, charges: ChargeRow[]): SubscriptionView => ({
  id: s.id,
  planId: s.plan_id,
  channelId: s.channel_id,
  status: s.status,
  amount: s.amount,
  currency: s.currency,
  currentPeriodStart: iso(s.current_period_start),
  currentPeriodEnd: iso(s.current_period_end),
  cancelAtPeriodEnd: s.cancel_at_period_end,
  graceUntil: iso(s.grace_until),
  endedAt: iso(s.ended_at),
  failureReason: s.failure_reason,
  createdAt: new Date(s.created_at).toISOString(),
  charges: charges.map(toChargeView),
});
