import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { entryHash } from './entry-hash.js';
import type { AccountRow } from './ledger-account.entity.js';
import type { TransferKind, TransferRow } from './ledger-transfer.entity.js';

/** What the ledger reads of an account, under its lock (bigints as pg returns them: strings). */
export type LockedAccount = Pick<
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

/** Balance deltas a transfer applies to one of its accounts. */
export interface Deltas {
  debitsPosted: bigint;
  creditsPosted: bigint;
  debitsPending: bigint;
  creditsPending: bigint;
}

export const noDeltas = (): Deltas => ({
  debitsPosted: 0n,
  creditsPosted: 0n,
  debitsPending: 0n,
  creditsPending: 0n,
});

/** One transfer ready to write: its row, and its two entries (each account's next version). */
export interface Posting {
  id: string;
  debitAccountId: string;
  creditAccountId: string;
  amount: bigint;
  currency: string;
  kind: TransferKind;
  pendingId: string | null;
  timeoutAt: Date | null;
  sagaId: string | null;
  createdAt: Date;
  entries: ReturnType<typeof nextEntry>[];
}

/** Locks accounts in id order (concurrent lockers never deadlock); `pendingId`: see Ledger. */
export function lockAccounts(
  manager: EntityManager,
  ids: string[],
  pendingId: string | null,
): Promise<(LockedAccount & { resolved: boolean })[]> {
  return manager.query(
    `SELECT id, currency, debits_must_not_exceed_credits, debits_posted, credits_posted, debits_pending,
            credits_pending, version, head_hash,
            $2::uuid IS NOT NULL AND EXISTS (SELECT 1 FROM payments.transfers WHERE pending_id = $2) AS resolved
       FROM payments.accounts WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
    [ids, pendingId],
  );
}

/** Available to spend: posted credits less posted and pending debits. */
export const available = (a: LockedAccount): bigint =>
  BigInt(a.credits_posted) - BigInt(a.debits_posted) - BigInt(a.debits_pending);

/**
 * Applies a transfer to the locked accounts as they stand (after any earlier posting of the same
 * batch): makes its two entries and moves `debit` and `credit` on to them.
 */
export function post(
  debit: LockedAccount,
  credit: LockedAccount,
  d: Deltas,
  c: Deltas,
  t: Omit<Posting, 'entries'>,
): Posting {
  const entries = [nextEntry(debit, d, 'debit', t), nextEntry(credit, c, 'credit', t)];
  for (const [account, e] of [
    [debit, entries[0]!],
    [credit, entries[1]!],
  ] as const) {
    account.debits_posted = e.debitsPosted;
    account.credits_posted = e.creditsPosted;
    account.debits_pending = e.debitsPending;
    account.credits_pending = e.creditsPending;
    account.version = e.version;
    account.head_hash = e.hash;
  }
  return { ...t, entries };
}

function nextEntry(
  account: LockedAccount,
  delta: Deltas,
  side: 'debit' | 'credit',
  t: Omit<Posting, 'entries'>,
) {
  const fields = {
    accountId: account.id,
    version: (BigInt(account.version) + 1n).toString(),
    transferId: t.id,
    transferKind: t.kind,
    side,
    amount: t.amount.toString(),
    debitsPosted: (BigInt(account.debits_posted) + delta.debitsPosted).toString(),
    creditsPosted: (BigInt(account.credits_posted) + delta.creditsPosted).toString(),
    debitsPending: (BigInt(account.debits_pending) + delta.debitsPending).toString(),
    creditsPending: (BigInt(account.credits_pending) + delta.creditsPending).toString(),
    createdAt: t.createdAt.toISOString(),
    prevHash: account.head_hash,
  };
  return { ...fields, hash: entryHash(fields) };
}

/**
 * Writes postings — transfers, entries and the accounts' new balances — in one statement (one
 * round trip), all or nothing: if any transfer id exists already, only the new transfer rows are
 * returned and no entry or balance is written (the caller answers with the existing transfer, or
 * rolls back). `accounts`: each touched account once, as the last posting left it.
 */
export async function writePostings(
  manager: EntityManager,
  postings: Posting[],
  accounts: LockedAccount[],
): Promise<TransferRow[]> {
  const entries = postings.flatMap((p) => p.entries);
  const col = <T>(f: (p: Posting) => T) => postings.map(f);
  const ecol = <T>(f: (e: (typeof entries)[number]) => T) => entries.map(f);
  return manager.query(
    `WITH t AS (
       INSERT INTO payments.transfers (id, debit_account_id, credit_account_id, amount, currency, kind, pending_id, timeout_at, saga_id, created_at)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::bigint[], $5::text[], $6::text[], $7::uuid[],
                            $8::timestamptz[], $9::uuid[], $10::timestamptz[])
       ON CONFLICT (id) DO NOTHING RETURNING *
     ), ok AS (SELECT count(*) = cardinality($1::uuid[]) AS all_new FROM t
     ), e AS (
       INSERT INTO payments.entries (id, account_id, version, transfer_id, transfer_kind, side, amount, debits_posted,
                                     credits_posted, debits_pending, credits_pending, prev_hash, hash, created_at)
       SELECT * FROM unnest($11::uuid[], $12::uuid[], $13::bigint[], $14::uuid[], $15::text[], $16::text[], $17::bigint[],
                            $18::bigint[], $19::bigint[], $20::bigint[], $21::bigint[], $22::text[], $23::text[], $24::timestamptz[])
        WHERE (SELECT all_new FROM ok)
     ), a AS (
       UPDATE payments.accounts a
          SET debits_posted = u.dp, credits_posted = u.cp, debits_pending = u.dpe, credits_pending = u.cpe,
              version = u.version, head_hash = u.hash
         FROM unnest($25::uuid[], $26::bigint[], $27::bigint[], $28::bigint[], $29::bigint[], $30::bigint[], $31::text[])
              AS u(id, dp, cp, dpe, cpe, version, hash)
        WHERE a.id = u.id AND (SELECT all_new FROM ok)
     )
     SELECT * FROM t`,
    [
      col((p) => p.id),
      col((p) => p.debitAccountId),
      col((p) => p.creditAccountId),
      col((p) => p.amount.toString()),
      col((p) => p.currency),
      col((p) => p.kind),
      col((p) => p.pendingId),
      col((p) => p.timeoutAt),
      col((p) => p.sagaId),
      col((p) => p.createdAt),
      ecol(() => uuidv7()),
      ecol((e) => e.accountId),
      ecol((e) => e.version),
      ecol((e) => e.transferId),
      ecol((e) => e.transferKind),
      ecol((e) => e.side),
      ecol((e) => e.amount),
      ecol((e) => e.debitsPosted),
      ecol((e) => e.creditsPosted),
      ecol((e) => e.debitsPending),
      ecol((e) => e.creditsPending),
      ecol((e) => e.prevHash),
      ecol((e) => e.hash),
      ecol((e) => e.createdAt),
      accounts.map((a) => a.id),
      accounts.map((a) => a.debits_posted),
      accounts.map((a) => a.credits_posted),
      accounts.map((a) => a.debits_pending),
      accounts.map((a) => a.credits_pending),
      accounts.map((a) => a.version),
      accounts.map((a) => a.head_hash),
    ],
  );
}
