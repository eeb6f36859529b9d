import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { entryHash } from './entry-hash.js';
import type { AccountRow } from './ledger-account.entity.js';
import {
  toTransferRecord,
  type TransferKind,
  type TransferRecord,
  type TransferRow,
} from './ledger-transfer.entity.js';

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

export type TransferResult =
  { ok: true; transfer: TransferRecord; duplicate: boolean } | { ok: false; reason: LedgerFailure };

/** What the ledger reads of an account, under its lock. */
type LockedAccount = Pick<
  AccountRow,
  | 'id'
  | 'currency'
  | 'debits_must_not_exceed_credits'
  | 'debits_posted'
  | 'credits_posted'
  | 'debits_pending'
  | 'credits_pending'
  | 'version'
  | 'head_hash'
>;

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
 * - Idempotent by transfer id: repeating a request, even concurrently, returns the existing
 *   transfer with `duplicate: true` (the insert is `ON CONFLICT (id) DO NOTHING`, its entries and
 *   balance updates conditional on it).
 * - Accounts are locked in sorted id order, so concurrent transfers never deadlock each other
 *   (Transactions.run still retries 40P01/40001 should another code path lock differently).
 * - Expected refusals (insufficient funds, hold already resolved, …) are values, not throws.
 * - Hot path in parameterised SQL, two round trips: lock both accounts (and, for a hold's post or
 *   void, see whether it was resolved); write the transfer, its entries and both balances in one
 *   statement. Posting or voiding a hold locks the hold first.
 */
@Injectable()
export class Ledger {
  async transfer(manager: EntityManager, req: TransferRequest): Promise<TransferResult> {
    let debitId: string;
    let creditId: string;
    let currency: string | undefined;
    let pending: TransferRecord | undefined;
    if (req.kind === 'post_pending' || req.kind === 'void_pending') {
      // Locks the hold: two resolutions of it queue here.
      pending = await this.find(manager, req.pendingId, true);
      if (!pending || pending.kind !== 'pending') {
        const existing = await this.find(manager, req.id);
        if (existing) return { ok: true, transfer: existing, duplicate: true };
        return { ok: false, reason: 'pending_not_found' };
      }
      debitId = pending.debitAccountId;
      creditId = pending.creditAccountId;
      currency = pending.currency;
    } else {
      const r = req as Extract<TransferRequest, { kind: 'single' | 'pending' }>;
      debitId = r.debitAccountId;
      creditId = r.creditAccountId;
      currency = r.currency;
      if (debitId === creditId) return { ok: false, reason: 'same_account' };
    }

    // Locks both accounts in id order. For a hold's post or void the same statement — run once
    // the hold is locked, so it sees every resolution committed before — says whether the hold
    // was resolved already. A repeat of this very transfer is caught by the write's ON CONFLICT.
    const accounts: (LockedAccount & { resolved: boolean })[] = await manager.query(
      `SELECT id, currency, debits_must_not_exceed_credits, debits_posted, credits_posted, debits_pending,
              credits_pending, version, head_hash,
              $2::uuid IS NOT NULL AND EXISTS (SELECT 1 FROM payments.transfers WHERE pending_id = $2) AS resolved
         FROM payments.accounts WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
      [[debitId, creditId], pending?.id ?? null],
    );
    // A refusal is for a new transfer only: a repeat of one that happened answers with it.
    const refuse = async (reason: LedgerFailure): Promise<TransferResult> => {
      const existing = await this.find(manager, req.id);
      return existing ? { ok: true, transfer: existing, duplicate: true } : { ok: false, reason };
    };

    let amount: bigint;
    if (req.kind === 'single' || req.kind === 'pending') {
      amount = req.amount;
    } else {
      const hold = pending!; // found and locked above
      if (accounts[0]?.resolved) return refuse('pending_already_resolved');
      if (req.kind === 'post_pending' && hold.timeoutAt && hold.timeoutAt.getTime() <= Date.now()) {
        return refuse('pending_expired');
      }
      amount = req.kind === 'post_pending' ? (req.amount ?? hold.amount) : hold.amount;
      if (amount <= 0n || amount > hold.amount) return refuse('exceeds_pending_amount');
    }
    const debit = accounts.find((a) => a.id === debitId);
    const credit = accounts.find((a) => a.id === creditId);
    if (!debit || !credit) return refuse('account_not_found');
    if (debit.currency.trim() !== currency || credit.currency.trim() !== currency)
      return refuse('currency_mismatch');

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
      if (available < amount) return refuse('insufficient_funds');
    }

    const createdAt = new Date();
    const timeoutSeconds = req.kind === 'pending' ? req.timeoutSeconds : undefined;
    const timeoutAt = timeoutSeconds ? new Date(createdAt.getTime() + timeoutSeconds * 1000) : null;
    const entries = [
      this.nextEntry(debit, d, 'debit', amount, req.kind, req.id, createdAt),
      this.nextEntry(credit, c, 'credit', amount, req.kind, req.id, createdAt),
    ];
    // The transfer, its two entries and both balances in one statement (one round trip).
    const [row] = (await manager.query(
      `WITH t AS (
         INSERT INTO payments.transfers (id, debit_account_id, credit_account_id, amount, currency, kind, pending_id, timeout_at, saga_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING RETURNING *
       ), e AS (
         INSERT INTO payments.entries (id, account_id, version, transfer_id, transfer_kind, side, amount, debits_posted,
                                       credits_posted, debits_pending, credits_pending, prev_hash, hash, created_at)
         SELECT * FROM unnest($11::uuid[], $12::uuid[], $13::bigint[], $14::uuid[], $15::text[], $16::text[], $17::bigint[],
                              $18::bigint[], $19::bigint[], $20::bigint[], $21::bigint[], $22::text[], $23::text[], $24::timestamptz[])
          WHERE EXISTS (SELECT 1 FROM t)
       ), a AS (
         UPDATE payments.accounts a
            SET debits_posted = u.dp, credits_posted = u.cp, debits_pending = u.dpe, credits_pending = u.cpe,
                version = u.version, head_hash = u.hash
           FROM unnest($12::uuid[], $18::bigint[], $19::bigint[], $20::bigint[], $21::bigint[], $13::bigint[], $23::text[])
                AS u(id, dp, cp, dpe, cpe, version, hash)
          WHERE a.id = u.id AND EXISTS (SELECT 1 FROM t)
       )
       SELECT * FROM t`,
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
    )) as TransferRow[];
    if (row) return { ok: true, transfer: toTransferRecord(row), duplicate: false };
    // The same id committed by a concurrent attempt after our check: nothing was written; answer
    // with the transfer that was (never a unique violation).
    const existing = await this.find(manager, req.id);
    if (!existing) throw new Error(`ledger transfer ${req.id} conflicted but is not there`);
    return { ok: true, transfer: existing, duplicate: true };
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
    return rows[0] ? toTransferRecord(rows[0]) : undefined;
  }

  /** How a hold was resolved (`post_pending` or `void_pending`); undefined while it is open. */
  async resolutionOf(manager: EntityManager, pendingId: string): Promise<TransferKind | undefined> {
    const rows: Pick<TransferRow, 'kind'>[] = await manager.query(
      `SELECT kind FROM payments.transfers WHERE pending_id = $1`,
      [pendingId],
    );
    return rows[0]?.kind;
  }

  private nextEntry(
    account: LockedAccount,
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
