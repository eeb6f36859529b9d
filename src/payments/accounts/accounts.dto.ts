import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsString, Matches, Max, Min } from 'class-validator';

const upper = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.toUpperCase() : value;

export class OpenAccountRequest {
  @ApiProperty({ example: 'EUR', description: 'ISO 4217 currency code' })
  @Transform(upper)
  @IsString()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as EUR' })
  currency: string;
}

export class Balance {
  @ApiProperty({ example: 12500, description: 'credits_posted − debits_posted (minor units)' })
  posted: number;
  @ApiProperty({ example: 2000, description: 'held: debits_pending (minor units)' })
  pending: number;
  @ApiProperty({ example: 10500, description: 'posted − pending: what can be spent now' })
  available: number;
}

export class AccountResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'EUR' }) currency: string;
  @ApiProperty({ type: Balance }) balance: Balance;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export interface AccountRow {
  id: string;
  currency: string;
  debits_posted: string;
  credits_posted: string;
  debits_pending: string;
  created_at: Date;
}

export function mapAccount(r: AccountRow): AccountResponse {
  const posted = BigInt(r.credits_posted) - BigInt(r.debits_posted);
  const pending = BigInt(r.debits_pending);
  return {
    id: r.id,
    currency: r.currency.trim(),
    balance: {
      posted: Number(posted),
      pending: Number(pending),
      available: Number(posted - pending),
    },
    createdAt: new Date(r.created_at).toISOString(),
  };
}

export class EntryResponse {
  @ApiProperty({ format: 'uuid' }) transferId: string;
  @ApiProperty({ example: 12, description: 'The account version this entry produced' })
  version: number;
  @ApiProperty({ enum: ['single', 'pending', 'post_pending', 'void_pending'] }) kind: string;
  @ApiProperty({ enum: ['debit', 'credit'] }) side: string;
  @ApiProperty({ example: 500 }) amount: number;
  @ApiProperty({ type: Balance, description: 'Balances after this entry' }) balanceAfter: Balance;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class EntryPage {
  @ApiProperty({ type: [EntryResponse] }) items: EntryResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
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
