import { ApiProperty } from '@nestjs/swagger';
import { ContextSchema, IsCurrency } from '@app/platform';
import type { EntryRow } from '../ledger/ledger-entry.entity.js';
import type { AccountView } from './accounts.js';

@ContextSchema('payments')
export class OpenAccountRequest {
  @ApiProperty({
    example: 'EUR',
    description: 'ISO 4217 currency code (upper-cased first: `eur` is taken as `EUR`)',
  })
  @IsCurrency()
  currency: string;
}

const Money = (example: number, description: string) =>
  ApiProperty({ type: 'integer', format: 'int64', example, description });

@ContextSchema('payments')
export class Balance {
  @Money(12500, 'Money that has landed: credits_posted − debits_posted (minor units)')
  posted: number;
  @Money(2000, 'Held for outgoing transfers still running (debits_pending, minor units)')
  pending: number;
  @Money(10500, 'posted − pending: what can be spent or sent now (minor units)')
  available: number;
}

@ContextSchema('payments')
export class AccountResponse {
  @ApiProperty({ format: 'uuid', example: '0194f3a2-7c1e-7b40-9a8e-3f1c2d4b5a69' }) id: string;
  @ApiProperty({ example: 'EUR', pattern: '^[A-Z]{3}$', description: 'ISO 4217' })
  currency: string;
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

const NEXT_CURSOR = {
  type: String,
  nullable: true,
  pattern: '^[A-Za-z0-9_-]+$',
  description: 'Pass as `cursor` for the next page; null on the last page',
} as const;

@ContextSchema('payments')
export class AccountPage {
  @ApiProperty({ type: [AccountResponse] }) items: AccountResponse[];
  @ApiProperty(NEXT_CURSOR) nextCursor: string | null;
}

@ContextSchema('payments')
export class EntryResponse {
  @ApiProperty({
    format: 'uuid',
    description: 'The ledger transfer (a hold, its post or void, or a single transfer)',
  })
  transferId: string;
  @ApiProperty({
    type: 'integer',
    format: 'int64',
    example: 12,
    description: 'The account version this entry produced (1, 2, 3… per account)',
  })
  version: number;
  @ApiProperty({
    enum: ['single', 'pending', 'post_pending', 'void_pending'],
    description:
      '`pending`: a hold; `post_pending`: the hold posted; `void_pending`: the hold released; ' +
      '`single`: moved in one step',
  })
  kind: string;
  @ApiProperty({ enum: ['debit', 'credit'] }) side: string;
  @Money(500, 'Minor units') amount: number;
  @ApiProperty({ type: Balance, description: 'Balances after this entry' }) balanceAfter: Balance;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

@ContextSchema('payments')
export class EntryPage {
  @ApiProperty({ type: [EntryResponse] }) items: EntryResponse[];
  @ApiProperty(NEXT_CURSOR) nextCursor: string | null;
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
