import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { TransferKind } from './ledger-transfer.entity.js';

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

/** A `payments.entries` row as raw SQL returns it (the statement and the verifier read it so). */
export interface EntryRow {
  id: string;
  account_id: string;
  version: string;
  transfer_id: string;
  transfer_kind: TransferKind;
  side: 'debit' | 'credit';
  amount: string;
  debits_posted: string;
  credits_posted: string;
  debits_pending: string;
  credits_pending: string;
  prev_hash: string;
  hash: string;
  created_at: Date;
}
