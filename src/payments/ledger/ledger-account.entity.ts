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

/**
 * A `payments.accounts` row as raw SQL returns it (the ledger's hot path reads it so): bigints
 * as strings, `currency` blank-padded (char(3)). Queries that select fewer columns use `Pick`.
 */
export interface AccountRow {
  id: string;
  owner_id: string | null;
  kind: AccountKind;
  currency: string;
  debits_must_not_exceed_credits: boolean;
  debits_posted: string;
  credits_posted: string;
  debits_pending: string;
  credits_pending: string;
  version: string;
  head_hash: string;
  created_at: Date;
}
