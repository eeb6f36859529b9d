import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type TransferKind = 'single' | 'pending' | 'post_pending' | 'void_pending';

/**
 * An immutable movement between two accounts. A `pending` transfer is a hold; it is resolved at
 * most once — the unique index on `pending_id` makes a second post/void impossible.
 */
@Entity({ schema: 'payments', name: 'transfers' })
@Index('transfers_pending_resolution_key', ['pendingId'], {
  unique: true,
  where: 'pending_id IS NOT NULL',
})
@Index('transfers_open_holds_idx', ['timeoutAt'], { where: "kind = 'pending'" })
@Check('transfers_amount_positive', 'amount > 0')
@Check('transfers_distinct_accounts', 'debit_account_id <> credit_account_id')
export class LedgerTransfer {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'debit_account_id' }) debitAccountId: string;
  @Column('uuid', { name: 'credit_account_id' }) creditAccountId: string;
  @Column('bigint') amount: string;
  @Column('char', { length: 3 }) currency: string;
  @Column('text') kind: TransferKind;
  /** For post_pending / void_pending: the hold being resolved. */
  @Column('uuid', { name: 'pending_id', nullable: true }) pendingId: string | null;
  /** For pending: when the reaper voids it. */
  @Column('timestamptz', { name: 'timeout_at', nullable: true }) timeoutAt: Date | null;
  /** The saga (payments transfer, top-up, order payment) that made it. */
  @Column('uuid', { name: 'saga_id', nullable: true }) sagaId: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
}

/** A `payments.transfers` row as raw SQL returns it. */
export interface TransferRow {
  id: string;
  kind: TransferKind;
  debit_account_id: string;
  credit_account_id: string;
  amount: string;
  currency: string;
  pending_id: string | null;
  timeout_at: Date | null;
  saga_id: string | null;
  created_at: Date;
}

/** A transfer as the ledger hands it out: amounts as bigint, currency trimmed. */
export interface TransferRecord {
  id: string;
  kind: TransferKind;
  debitAccountId: string;
  creditAccountId: string;
  amount: bigint;
  currency: string;
  pendingId: string | null;
  timeoutAt: Date | null;
  sagaId: string | null;
  createdAt: Date;
}

export const toTransferRecord = (r: TransferRow): TransferRecord => ({
  id: r.id,
  kind: r.kind,
  debitAccountId: r.debit_account_id,
  creditAccountId: r.credit_account_id,
  amount: BigInt(r.amount),
  currency: r.currency.trim(),
  pendingId: r.pending_id,
  timeoutAt: r.timeout_at,
  sagaId: r.saga_id,
  createdAt: r.created_at,
});
