import { ApiProperty } from '@nestjs/swagger';
import { IsCurrency } from '@app/platform';
import type { EntryRow } from '../ledger/ledger-entry.entity.js';
import type { AccountView } from './accounts.js';

export class OpenAccountRequest {
  @ApiProperty({ example: 'EUR', description: 'ISO 4217 currency code' })
  @IsCurrency()
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

type Balances = Pick<EntryRow, 'debits_posted' | 'credits_posted' | 'debits_pending'>;

function balanceOf(r: Balances): Balance {
  const posted = BigInt(r.credits_posted) - BigInt(r.debits_posted);
  const pending = BigInt(r.debits_pending);
  return {
    posted: Number(posted),
    pending: Number(pending),
    available: Number(posted - pending),
  };
}

export function mapAccount(r: AccountView): AccountResponse {
  return {
    id: r.id,
    currency: r.currency.trim(),
    balance: balanceOf(r),
    createdAt: new Date(r.created_at).toISOString(),
  };
}

export class AccountPage {
  @ApiProperty({ type: [AccountResponse] }) items: AccountResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
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

/** The statement's columns of an entry. */
export type StatementEntry = Pick<
  EntryRow,
  | 'transfer_id'
  | 'version'
  | 'transfer_kind'
  | 'side'
  | 'amount'
  | 'debits_posted'
  | 'credits_posted'
  | 'debits_pending'
  | 'created_at'
>;

export function mapEntry(r: StatementEntry): EntryResponse {
  return {
    transferId: r.transfer_id,
    version: Number(r.version),
    kind: r.transfer_kind,
    side: r.side,
    amount: Number(r.amount),
    balanceAfter: balanceOf(r),
    createdAt: new Date(r.created_at).toISOString(),
  };
}
