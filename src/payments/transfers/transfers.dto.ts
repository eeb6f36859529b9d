import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ContextSchema, IsCurrency, OptionalField } from '@app/platform';
import { IsInt, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import type { SagaRow, SagaStep } from './saga.entity.js';

@ContextSchema('payments')
export class CreateTransferRequest {
  @ApiProperty({ format: 'uuid', description: 'One of your accounts: the money leaves it' })
  @IsUUID()
  fromAccountId: string;

  @ApiProperty({ format: 'uuid', description: 'Any customer’s wallet in the same currency' })
  @IsUUID()
  toAccountId: string;

  @ApiProperty({ format: 'int64', example: 2500, description: 'Minor units (cents)' })
  @IsInt()
  @Min(1)
  @Max(100_000_000_000)
  amount: number;

  @ApiProperty({ example: 'EUR', description: 'Must be both accounts’ currency' })
  @IsCurrency()
  currency: string;

  @ApiPropertyOptional({
    example: 'rent-2026-11',
    description:
      'Your unique reference for this transfer (defaults to the Idempotency-Key): one transfer ' +
      'per reference, ever — the same reference with the same request answers that transfer ' +
      'again; with a different one it is refused (422 `payments.reference_reused`)',
  })
  @OptionalField()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  reference?: string;
}

/** Card tokens are `tok_` and 24 base64url characters; up to 64 are accepted. */
const CARD_TOKEN = /^tok_[A-Za-z0-9_-]{20,64}$/;

@ContextSchema('payments')
export class TopUpRequest {
  @ApiProperty({
    example: 'tok_V1StGXR8_Z5jdHi6B-myTqLw',
    description: 'One of your card tokens, from POST /v1/payments/cards',
  })
  @IsString()
  @MaxLength(68)
  @Matches(CARD_TOKEN, { message: 'cardToken must be a card token' })
  cardToken: string;

  @ApiProperty({
    format: 'int64',
    example: 5000,
    description: 'Minor units (cents) charged to the card',
  })
  @IsInt()
  @Min(1)
  @Max(100_000_000)
  amount: number;
}

/** The steps a transfer or top-up saga can be on. */
const TRANSFER_STEPS: SagaStep[] = [
  'fraud',
  'hold',
  'charge',
  'charge_status',
  'post',
  'refund_charge',
  'void',
  'done',
];

@ContextSchema('payments')
export class SagaHistoryDoc {
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ enum: TRANSFER_STEPS, example: 'hold', description: 'The step the saga was on' })
  step: string;
  @ApiProperty({
    example: 'held',
    description:
      '`started`, `fraud_checked`, `held`, `charged`, `charge_declined`, `charge_timeout`, ' +
      '`charge_not_found`, `charge_confirmed`, `charge_not_captured`, `charge_unknown`, ' +
      '`post_refused`, `charge_refunded`, `hold_expired`, `error`, `completed`, `failed`…',
  })
  event: string;
  @ApiPropertyOptional({ nullable: true, type: String, example: 'hold 0194f3a2-…' })
  detail?: string | null;
}

@ContextSchema('payments')
export class TransferResponse {
  @ApiProperty({
    format: 'uuid',
    description: 'Poll GET /v1/payments/transfers/{id} with it while PENDING',
  })
  id: string;
  @ApiProperty({ enum: ['transfer', 'top_up'] }) kind: string;
  @ApiProperty({
    enum: ['PENDING', 'COMPLETED', 'FAILED'],
    description: 'PENDING until it ends; COMPLETED and FAILED are final',
  })
  status: string;
  @ApiProperty({ enum: TRANSFER_STEPS, example: 'done', description: 'Current saga step' })
  step: string;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'uuid',
    description: 'The paying account of a transfer; null for a top-up (paid by card)',
  })
  fromAccountId: string | null;
  @ApiProperty({ format: 'uuid', description: 'The credited account' }) toAccountId: string;
  @ApiProperty({ type: 'integer', format: 'int64', example: 2500, description: 'Minor units' })
  amount: number;
  @ApiProperty({ example: 'EUR', pattern: '^[A-Z]{3}$' }) currency: string;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'rent-2026-11',
    description: 'Your reference (a top-up’s is its Idempotency-Key)',
  })
  reference: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'insufficient_funds',
    description:
      'Why it FAILED (null otherwise): `fraud_denied`, `insufficient_funds`, `hold_expired`, ' +
      'and for top-ups `card_declined`, `fraudulent`, `processing_error`, `incorrect_cvc`, ' +
      '`card_not_found`, `processor_timeout`, `processor_unavailable`',
  })
  failureReason: string | null;
  @ApiProperty({ type: [SagaHistoryDoc], description: 'Every step it took, oldest first' })
  history: SagaHistoryDoc[];
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

/** A transfer or top-up saga as its owner sees it. */
export function mapTransfer(r: SagaRow<'transfer' | 'top_up'>): TransferResponse {
  return {
    id: r.id,
    kind: r.kind,
    status: r.state,
    step: r.step,
    fromAccountId: r.kind === 'transfer' ? r.data.fromAccountId : null,
    toAccountId: r.data.toAccountId,
    amount: r.data.amount,
    currency: r.data.currency,
    reference: r.data.reference ?? null,
    failureReason: r.failure_reason,
    history: r.history.map((h) => ({ at: h.at, step: h.step, event: h.event, detail: h.detail })),
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}
