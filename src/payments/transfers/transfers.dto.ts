import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsCurrency } from '@app/platform';
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
import type { SagaRow } from './saga.entity.js';

export class CreateTransferRequest {
  @ApiProperty({ format: 'uuid', description: 'One of your accounts' })
  @IsUUID()
  fromAccountId: string;
  @ApiProperty({ format: 'uuid' }) @IsUUID() toAccountId: string;
  @ApiProperty({ example: 2500, description: 'Minor units' })
  @IsInt()
  @Min(1)
  @Max(100_000_000_000)
  amount: number;

  @ApiProperty({ example: 'EUR' })
  @IsCurrency()
  currency: string;

  @ApiPropertyOptional({
    example: 'rent-2026-11',
    description: 'Your unique reference; defaults to the Idempotency-Key',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  reference?: string;
}

export class TopUpRequest {
  @ApiProperty({ example: 'tok_3q0W…', description: 'A card token from POST /v1/payments/cards' })
  @IsString()
  @Matches(/^tok_[A-Za-z0-9_-]{20,64}$/, { message: 'cardToken must be a card token' })
  cardToken: string;

  @ApiProperty({ example: 5000, description: 'Minor units' })
  @IsInt()
  @Min(1)
  @Max(100_000_000)
  amount: number;
}

export class SagaHistoryDoc {
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ example: 'hold' }) step: string;
  @ApiProperty({ example: 'held' }) event: string;
  @ApiPropertyOptional({ nullable: true, type: String }) detail?: string | null;
}

export class TransferResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['transfer', 'top_up'] }) kind: string;
  @ApiProperty({ enum: ['PENDING', 'COMPLETED', 'FAILED'] }) status: string;
  @ApiProperty({ example: 'done', description: 'Current saga step' }) step: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) fromAccountId: string | null;
  @ApiProperty({ format: 'uuid' }) toAccountId: string;
  @ApiProperty({ example: 2500 }) amount: number;
  @ApiProperty({ example: 'EUR' }) currency: string;
  @ApiPropertyOptional({ nullable: true, type: String }) reference: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'insufficient_funds' }) failureReason:
    string | null;
  @ApiProperty({ type: [SagaHistoryDoc] }) history: SagaHistoryDoc[];
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
