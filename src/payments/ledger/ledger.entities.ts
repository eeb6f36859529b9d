import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type AccountKind = 'wallet' | 'clearing' | 'merchant';

/**
 * A ledger account (TigerBeetle's model): cumulative posted and pending debits and credits in
 * minor units; balances are derived. Flagged accounts can never have debits exceed credits —
 * checked when a hold or single-phase transfer is created, and by a CHECK constraint as the
 * last line of defence.
 */
@Entity({ schema: 'payments', name: 'accounts' })
@Index('accounts_owner_idx', ['ownerId'])
@Index('accounts_system_key', ['kind', 'currency'], { unique: true, where: 'owner_id IS NULL' })
@Check(
  'accounts_amounts_non_negative',
  'debits_posted >= 0 AND credits_posted >= 0 AND debits_pending >= 0 AND credits_pending >= 0',
)
@Check(
  'accounts_debits_within_credits',
  'NOT debits_must_not_exceed_credits OR debits_posted + debits_pending <= credits_posted',
)
export class LedgerAccount {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'owner_id', nullable: true }) ownerId: string | null;
  @Column('text') kind: AccountKind;
  @Column('char', { length: 3 }) currency: string;
  @Column('boolean', { name: 'debits_must_not_exceed_credits' })
  debitsMustNotExceedCredits: boolean;
  @Column('bigint', { name: 'debits_posted', default: 0 }) debitsPosted: string;
  @Column('bigint', { name: 'credits_posted', default: 0 }) creditsPosted: string;
  @Column('bigint', { name: 'debits_pending', default: 0 }) debitsPending: string;
  @Column('bigint', { name: 'credits_pending', default: 0 }) creditsPending: string;
  /** Number of entries; the version of the newest one. */
  @Column('bigint', { default: 0 }) version: string;
  /** Hash of the newest entry (the head of this account's chain). */
  @Column('text', { name: 'head_hash', default: '' }) headHash: string;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
}

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

/**
 * One side of a transfer on one account, with the account's balances after it and its version.
 * Each entry's hash covers the previous entry's hash: an account's entries form a chain that
 * `GET /v1/payments/ledger/verify` recomputes.
 */
@Entity({ schema: 'payments', name: 'entries' })
@Index('entries_account_version_key', ['accountId', 'version'], { unique: true })
@Index('entries_transfer_idx', ['transferId'])
export class LedgerEntry {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'account_id' }) accountId: string;
  @Column('bigint') version: string;
  @Column('uuid', { name: 'transfer_id' }) transferId: string;
  @Column('text', { name: 'transfer_kind' }) transferKind: TransferKind;
  @Column('text') side: 'debit' | 'credit';
  @Column('bigint') amount: string;
  @Column('bigint', { name: 'debits_posted' }) debitsPosted: string;
  @Column('bigint', { name: 'credits_posted' }) creditsPosted: string;
  @Column('bigint', { name: 'debits_pending' }) debitsPending: string;
  @Column('bigint', { name: 'credits_pending' }) creditsPending: string;
  @Column('text', { name: 'prev_hash' }) prevHash: string;
  @Column('text') hash: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
}
