import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { entryHash } from './entry-hash.js';
import type { TransferKind } from './ledger.entities.js';

export type LedgerFailure =
  | 'account_not_found'
  | 'currency_mismatch'
  | 'same_account'
  | 'insufficient_funds'
  | 'pending_not_found'
  | 'pending_already_resolved'
  | 'pending_expired'
  | 'exceeds_pending_amount';

export type TransferRequest =
  | {
      id: string;
      kind: 'single' | 'pending';
      debitAccountId: string;
      creditAccountId: string;
      amount: bigint;
      currency: string;
      /** Holds only: seconds until the reaper voids it. */
      timeoutSeconds?: number;
      sagaId?: string;
    }
  | {
      id: string;
      kind: 'post_pending' | 'void_pending';
      pendingId: string;
      /** post_pending only: defaults to the full hold; the rest is released. */
      amount?: bigint;
      sagaId?: string;
    };

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

export type TransferResult =
  { ok: true; transfer: TransferRecord; duplicate: boolean } | { ok: false; reason: LedgerFailure };

interface AccountRow {
  id: string;
  currency: string;
  debits_must_not_exceed_credits: boolean;
  debits_posted: string;
  credits_posted: string;
  debits_pending: string;
  credits_pending: string;
  version: string;
  head_hash: string;
}

interface TransferRow {
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

const toRecord = (r: TransferRow): TransferRecord => ({
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

/** Balance deltas a transfer applies to its debit and credit account. */
interface Deltas {
  debitsPosted: bigint;
  creditsPosted: bigint;
  debitsPending: bigint;
  creditsPending: bigint;
}

/**
 * The double-entry ledger. Every call runs inside the caller's transaction (`tx.manager`), so a
 * transfer, its two entries, the account balances and the caller's outbox events commit together.
 *
 * - Idempotent by transfer id: repeating a request returns the existing transfer.
 * - Accounts are locked in sorted id order, so concurrent transfers never deadlock each other
 *   (Transactions.run still retries 40P01/40001 should another code path lock differently).
 * - Expected refusals (insufficient funds, hold already resolved, …) are values, not throws.
 * - Hot path in parameterised SQL: one SELECT … FOR UPDATE, one INSERT per table, one UPDATE.
 */
@Injectable()
export class Ledger {
  async transfer(manager: EntityManager, req: TransferRequest): Promise<TransferResult> {
    const existing = await this.find(manager, req.id);
    if (existing) return { ok: true, transfer: existing, duplicate: true };

    let debitId: string;
    let creditId: string;
    let amount: bigint;
    let currency: string | undefined;
    let pending: TransferRecord | undefined;
    if (req.kind === 'post_pending' || req.kind === 'void_pending') {
      pending = await this.find(manager, req.pendingId, true);
      if (!pending || pending.kind !== 'pending') return { ok: false, reason: 'pending_not_found' };
      const [resolved] = await manager.query(
        `SELECT 1 FROM payments.transfers WHERE pending_id = $1`,
        [pending.id],
      );
      if (resolved) return { ok: false, reason: 'pending_already_resolved' };
      if (
        req.kind === 'post_pending' &&
        pending.timeoutAt &&
        pending.timeoutAt.getTime() <= Date.now()
      ) {
        return { ok: false, reason: 'pending_expired' };
      }
      debitId = pending.debitAccountId;
      creditId = pending.creditAccountId;
      currency = pending.currency;
      amount = req.kind === 'void_pending' ? pending.amount : (req.amount ?? pending.amount);
      if (amount <= 0n || amount > pending.amount)
        return { ok: false, reason: 'exceeds_pending_amount' };
    } else {
      const r = req as Extract<TransferRequest, { kind: 'single' | 'pending' }>;
      debitId = r.debitAccountId;
      creditId = r.creditAccountId;
      amount = r.amount;
      currency = r.currency;
      if (debitId === creditId) return { ok: false, reason: 'same_account' };
    }

    const accounts: AccountRow[] = await manager.query(
      `SELECT id, currency, debits_must_not_exceed_credits, debits_posted, credits_posted, debits_pending,
              credits_pending, version, head_hash
         FROM payments.accounts WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
      [[debitId, creditId]],
    );
    // Re-check under the locks: a concurrent call with this id may have committed meanwhile.
    const raced = await this.find(manager, req.id);
    if (raced) return { ok: true, transfer: raced, duplicate: true };
    const debit = accounts.find((a) => a.id === debitId);
    const credit = accounts.find((a) => a.id === creditId);
    if (!debit || !credit) return { ok: false, reason: 'account_not_found' };
    if (debit.currency.trim() !== currency || credit.currency.trim() !== currency)
      return { ok: false, reason: 'currency_mismatch' };

    const zero: Deltas = {
      debitsPosted: 0n,
      creditsPosted: 0n,
      debitsPending: 0n,
      creditsPending: 0n,
    };
    const d = { ...zero };
    const c = { ...zero };
    switch (req.kind) {
      case 'single':
        d.debitsPosted = amount;
        c.creditsPosted = amount;
        break;
      case 'pending':
        d.debitsPending = amount;
        c.creditsPending = amount;
        break;
      case 'post_pending':
        d.debitsPending = -pending!.amount;
        d.debitsPosted = amount;
        c.creditsPending = -pending!.amount;
        c.creditsPosted = amount;
        break;
      case 'void_pending':
        d.debitsPending = -pending!.amount;
        c.creditsPending = -pending!.amount;
        break;
    }
    if (debit.debits_must_not_exceed_credits && (req.kind === 'single' || req.kind === 'pending')) {
      const available =
        BigInt(debit.credits_posted) - BigInt(debit.debits_posted) - BigInt(debit.debits_pending);
      if (available < amount) return { ok: false, reason: 'insufficient_funds' };
    }

    const createdAt = new Date();
    const timeoutSeconds = req.kind === 'pending' ? req.timeoutSeconds : undefined;
    const timeoutAt = timeoutSeconds ? new Date(createdAt.getTime() + timeoutSeconds * 1000) : null;
    const [row] = (await manager.query(
      `INSERT INTO payments.transfers (id, debit_account_id, credit_account_id, amount, currency, kind, pending_id, timeout_at, saga_id, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
      [
        req.id,
        debitId,
        creditId,
        amount.toString(),
        currency,
        req.kind,
        pending?.id ?? null,
        timeoutAt,
        req.sagaId ?? null,
        createdAt,
      ],
    )) as TransferRow[];

    const entries = [
      this.nextEntry(debit, d, 'debit', amount, req.kind, req.id, createdAt),
      this.nextEntry(credit, c, 'credit', amount, req.kind, req.id, createdAt),
    ];
    await manager.query(
      `INSERT INTO payments.entries (id, account_id, version, transfer_id, transfer_kind, side, amount, debits_posted,
                                     credits_posted, debits_pending, credits_pending, prev_hash, hash, created_at)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::uuid[], $5::text[], $6::text[], $7::bigint[],
                            $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::text[], $13::text[], $14::timestamptz[])`,
      [
        entries.map(() => uuidv7()),
        entries.map((e) => e.accountId),
        entries.map((e) => e.version),
        entries.map((e) => e.transferId),
        entries.map((e) => e.transferKind),
        entries.map((e) => e.side),
        entries.map((e) => e.amount),
        entries.map((e) => e.debitsPosted),
        entries.map((e) => e.creditsPosted),
        entries.map((e) => e.debitsPending),
        entries.map((e) => e.creditsPending),
        entries.map((e) => e.prevHash),
        entries.map((e) => e.hash),
        entries.map(() => createdAt),
      ],
    );
    await manager.query(
      `UPDATE payments.accounts a
          SET debits_posted = u.dp, credits_posted = u.cp, debits_pending = u.dpe, credits_pending = u.cpe,
              version = u.version, head_hash = u.hash
         FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::text[])
              AS u(id, dp, cp, dpe, cpe, version, hash)
        WHERE a.id = u.id`,
      [
        entries.map((e) => e.accountId),
        entries.map((e) => e.debitsPosted),
        entries.map((e) => e.creditsPosted),
        entries.map((e) => e.debitsPending),
        entries.map((e) => e.creditsPending),
        entries.map((e) => e.version),
        entries.map((e) => e.hash),
      ],
    );
    return { ok: true, transfer: toRecord(row!), duplicate: false };
  }

  async find(
    manager: EntityManager,
    id: string,
    lock = false,
  ): Promise<TransferRecord | undefined> {
    const rows: TransferRow[] = await manager.query(
      `SELECT * FROM payments.transfers WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  private nextEntry(
    account: AccountRow,
    delta: Deltas,
    side: 'debit' | 'credit',
    amount: bigint,
    kind: TransferKind,
    transferId: string,
    createdAt: Date,
  ) {
    const fields = {
      accountId: account.id,
      version: (BigInt(account.version) + 1n).toString(),
      transferId,
      transferKind: kind,
      side,
      amount: amount.toString(),
      debitsPosted: (BigInt(account.debits_posted) + delta.debitsPosted).toString(),
      creditsPosted: (BigInt(account.credits_posted) + delta.creditsPosted).toString(),
      debitsPending: (BigInt(account.debits_pending) + delta.debitsPending).toString(),
      creditsPending: (BigInt(account.credits_pending) + delta.creditsPending).toString(),
      createdAt: createdAt.toISOString(),
      prevHash: account.head_hash,
    };
    return { ...fields, hash: entryHash(fields) };
  }
}
