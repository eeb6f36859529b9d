import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  available,
  lockAccounts,
  noDeltas,
  post,
  writePostings,
  type LockedAccount,
  type Posting,
} from './ledger-posting.js';
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

/** A single-phase transfer: posted at once. */
export type SingleTransfer = Extract<TransferRequest, { kind: 'single' | 'pending' }> & {
  kind: 'single';
};

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
    const locked = await lockAccounts(manager, [debitId, creditId], pending?.id ?? null);
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
      if (locked[0]?.resolved) return refuse('pending_already_resolved');
      if (req.kind === 'post_pending' && hold.timeoutAt && hold.timeoutAt.getTime() <= Date.now()) {
        return refuse('pending_expired');
      }
      amount = req.kind === 'post_pending' ? (req.amount ?? hold.amount) : hold.amount;
      if (amount <= 0n || amount > hold.amount) return refuse('exceeds_pending_amount');
    }
    const accounts = new Map<string, LockedAccount>(locked.map((a) => [a.id, a]));
    const checked = this.check(accounts, debitId, creditId, currency!, amount, req.kind);
    if (checked) return refuse(checked);

    const d = noDeltas();
    const c = noDeltas();
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
    const createdAt = new Date();
    const timeoutSeconds = req.kind === 'pending' ? req.timeoutSeconds : undefined;
    const posting = post(accounts.get(debitId)!, accounts.get(creditId)!, d, c, {
      id: req.id,
      debitAccountId: debitId,
      creditAccountId: creditId,
      amount,
      currency: currency!,
      kind: req.kind,
      pendingId: pending?.id ?? null,
      timeoutAt: timeoutSeconds ? new Date(createdAt.getTime() + timeoutSeconds * 1000) : null,
      sagaId: req.sagaId ?? null,
      createdAt,
    });
    const [row] = await writePostings(manager, [posting], [...accounts.values()]);
    if (row) return { ok: true, transfer: toTransferRecord(row), duplicate: false };
    // The same id committed by a concurrent attempt after our check: nothing was written; answer
    // with the transfer that was (never a unique violation).
    const existing = await this.find(manager, req.id);
    if (!existing) throw new Error(`ledger transfer ${req.id} conflicted but is not there`);
    return { ok: true, transfer: existing, duplicate: true };
  }

  /**
   * Many single-phase transfers at once (a group commit's): every account of the batch locked in
   * one statement, each transfer checked and applied in order against the balances the ones
   * before it left, and all of them written in one statement. For new transfer ids only (made
   * with their saga in this transaction): should one exist already, this throws, and the caller's
   * transaction rolls back.
   */
  async postMany(manager: EntityManager, reqs: SingleTransfer[]): Promise<TransferResult[]> {
    const ids = [...new Set(reqs.flatMap((r) => [r.debitAccountId, r.creditAccountId]))];
    const accounts = new Map<string, LockedAccount>(
      (await lockAccounts(manager, ids, null)).map((a) => [a.id, a]),
    );
    const createdAt = new Date();
    const postings: Posting[] = [];
    const results: (TransferResult | Posting)[] = reqs.map((req) => {
      const refused = this.check(
        accounts,
        req.debitAccountId,
        req.creditAccountId,
        req.currency,
        req.amount,
        'single',
      );
      if (refused) return { ok: false, reason: refused };
      const d = { ...noDeltas(), debitsPosted: req.amount };
      const c = { ...noDeltas(), creditsPosted: req.amount };
      const posting = post(
        accounts.get(req.debitAccountId)!,
        accounts.get(req.creditAccountId)!,
        d,
        c,
        {
          id: req.id,
          debitAccountId: req.debitAccountId,
          creditAccountId: req.creditAccountId,
          amount: req.amount,
          currency: req.currency,
          kind: 'single',
          pendingId: null,
          timeoutAt: null,
          sagaId: req.sagaId ?? null,
          createdAt,
        },
      );
      postings.push(posting);
      return posting;
    });
    if (!postings.length) return results as TransferResult[];
    const touched = [...new Set(postings.flatMap((p) => [p.debitAccountId, p.creditAccountId]))];
    const rows = await writePostings(
      manager,
      postings,
      touched.map((id) => accounts.get(id)!),
    );
    if (rows.length !== postings.length)
      throw new Error('ledger postMany: a transfer id existed already; nothing was written');
    const byId = new Map(rows.map((r) => [r.id, r]));
    return results.map((r) =>
      'entries' in r
        ? { ok: true, transfer: toTransferRecord(byId.get(r.id)!), duplicate: false }
        : r,
    );
  }

  /** Why a transfer between two locked accounts is refused as they stand; undefined: it is not. */
  private check(
    accounts: Map<string, LockedAccount>,
    debitId: string,
    creditId: string,
    currency: string,
    amount: bigint,
    kind: TransferKind,
  ): LedgerFailure | undefined {
    if (debitId === creditId) return 'same_account';
    const debit = accounts.get(debitId);
    const credit = accounts.get(creditId);
    if (!debit || !credit) return 'account_not_found';
    if (debit.currency.trim() !== currency || credit.currency.trim() !== currency)
      return 'currency_mismatch';
    if (
      debit.debits_must_not_exceed_credits &&
      (kind === 'single' || kind === 'pending') &&
      available(debit) < amount
    )
      return 'insufficient_funds';
    return undefined;
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
}
