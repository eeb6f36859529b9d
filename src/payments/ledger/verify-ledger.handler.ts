import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { entryHash } from './entry-hash.js';
import type { AccountRow } from './ledger-account.entity.js';
import type { EntryRow } from './ledger-entry.entity.js';
import type { LedgerProblem, LedgerVerification } from './ledger.dto.js';

export class VerifyLedger extends Query<LedgerVerification> {}

/** The columns of an account the verifier checks its chain against. */
type CheckedAccount = Pick<
  AccountRow,
  | 'id'
  | 'version'
  | 'head_hash'
  | 'debits_posted'
  | 'credits_posted'
  | 'debits_pending'
  | 'credits_pending'
>;

/**
 * Recomputes everything the ledger promises: per currency Σ debits = Σ credits (posted and
 * pending), no flagged account below zero, every transfer has exactly its two entries, every
 * account's entries form an unbroken hash chain whose running balances end at the account row.
 * Streams accounts and entries in pages, merged in one order, so it stays flat in memory and
 * makes a round trip per page, not per account (a ledger of a million accounts verifies in one
 * pass: see the scale series S2).
 */
@QueryHandler(VerifyLedger)
export class VerifyLedgerHandler implements IQueryHandler<VerifyLedger> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute(): Promise<LedgerVerification> {
    // One snapshot: transfers committing meanwhile must not look like breaks.
    return this.db.transaction('REPEATABLE READ', (m) => this.check(m));
  }

  private async check(m: EntityManager): Promise<LedgerVerification> {
    const problems: LedgerProblem[] = [];
    const sums: { currency: string; dp: string; cp: string; dpe: string; cpe: string }[] =
      await m.query(
        `SELECT currency, sum(debits_posted)::text dp, sum(credits_posted)::text cp, sum(debits_pending)::text dpe, sum(credits_pending)::text cpe
         FROM payments.accounts GROUP BY currency`,
      );
    for (const s of sums) {
      if (s.dp !== s.cp)
        problems.push({
          kind: 'unbalanced',
          detail: `${s.currency}: posted debits ${s.dp} ≠ posted credits ${s.cp}`,
        });
      if (s.dpe !== s.cpe)
        problems.push({
          kind: 'unbalanced',
          detail: `${s.currency}: pending debits ${s.dpe} ≠ pending credits ${s.cpe}`,
        });
    }
    const negative: { id: string }[] = await m.query(
      `SELECT id FROM payments.accounts WHERE debits_must_not_exceed_credits AND debits_posted + debits_pending > credits_posted`,
    );
    for (const a of negative)
      problems.push({
        kind: 'negative_balance',
        detail: `account ${a.id} has debits above credits`,
      });
    const badTransfers: { id: string; n: number }[] = await m.query(
      `SELECT t.id, count(e.id)::int n FROM payments.transfers t LEFT JOIN payments.entries e ON e.transfer_id = t.id
        GROUP BY t.id HAVING count(e.id) <> 2 OR count(DISTINCT e.side) <> 2
       UNION ALL
       SELECT e.transfer_id, count(*)::int FROM payments.entries e LEFT JOIN payments.transfers t ON t.id = e.transfer_id
        WHERE t.id IS NULL GROUP BY e.transfer_id`,
    );
    for (const t of badTransfers)
      problems.push({
        kind: 'transfer_entries',
        detail: `transfer ${t.id} has ${t.n} entries instead of one debit and one credit`,
      });

    const mismatched: { transfer_id: string }[] = await m.query(
      `SELECT DISTINCT e.transfer_id FROM payments.entries e JOIN payments.transfers t ON t.id = e.transfer_id
        WHERE e.amount <> t.amount OR e.transfer_kind <> t.kind
           OR (e.side = 'debit' AND e.account_id <> t.debit_account_id)
           OR (e.side = 'credit' AND e.account_id <> t.credit_account_id)`,
    );
    for (const t of mismatched)
      problems.push({
        kind: 'transfer_entries',
        detail: `transfer ${t.transfer_id} disagrees with its entries`,
      });
    const badResolutions: { id: string }[] = await m.query(
      `SELECT r.id FROM payments.transfers r LEFT JOIN payments.transfers p ON p.id = r.pending_id
        WHERE r.pending_id IS NOT NULL
          AND (p.id IS NULL OR p.kind <> 'pending' OR p.debit_account_id <> r.debit_account_id
               OR p.credit_account_id <> r.credit_account_id OR r.amount > p.amount)`,
    );
    for (const r of badResolutions)
      problems.push({
        kind: 'transfer_entries',
        detail: `transfer ${r.id} resolves something that is not a matching hold`,
      });
    // Sums per account by hash join (one pass over accounts and holds, not a subquery per account).
    const holds: { id: string }[] = await m.query(
      `WITH open AS (
         SELECT p.debit_account_id, p.credit_account_id, p.amount FROM payments.transfers p
          WHERE p.kind = 'pending' AND NOT EXISTS (SELECT 1 FROM payments.transfers r WHERE r.pending_id = p.id)),
       d AS (SELECT debit_account_id AS id, sum(amount) AS s FROM open GROUP BY 1),
       c AS (SELECT credit_account_id AS id, sum(amount) AS s FROM open GROUP BY 1)
       SELECT a.id FROM payments.accounts a LEFT JOIN d ON d.id = a.id LEFT JOIN c ON c.id = a.id
        WHERE a.debits_pending <> COALESCE(d.s, 0) OR a.credits_pending <> COALESCE(c.s, 0)`,
    );
    for (const a of holds)
      problems.push({
        kind: 'balance_mismatch',
        detail: `account ${a.id}: pending balances differ from its open holds`,
      });

    // Accounts and entries each read once, in pages, in the same order (account id, then version):
    // a merge, so the cost is one pass over the ledger however many accounts hold no entries.
    const accounts = keyset<CheckedAccount>((after) =>
      m.query(
        `SELECT id, version, head_hash, debits_posted, credits_posted, debits_pending, credits_pending
             FROM payments.accounts WHERE $1::uuid IS NULL OR id > $1 ORDER BY id LIMIT ${PAGE}`,
        [after?.id ?? null],
      ),
    );
    const stream = keyset<Omit<EntryRow, 'id'>>((after) =>
      m.query(
        `SELECT account_id, version, transfer_id, transfer_kind, side, amount, debits_posted, credits_posted,
                  debits_pending, credits_pending, prev_hash, hash, created_at
             FROM payments.entries
            WHERE $1::uuid IS NULL OR (account_id, version) > ($1, $2::bigint)
            ORDER BY account_id, version LIMIT ${PAGE}`,
        [after?.account_id ?? null, after?.version ?? null],
      ),
    );
    let next = await stream.next();
    let accountCount = 0;
    let entries = 0;
    for await (const account of accounts) {
      accountCount++;
      // Entries of no account cannot exist (foreign key); skip any before this one all the same.
      while (!next.done && next.value.account_id < account.id) next = await stream.next();
      let prev = { hash: '', version: 0n, dp: '0', cp: '0', dpe: '0', cpe: '0' };
      let broken = false;
      for (; !next.done && next.value.account_id === account.id; next = await stream.next()) {
        if (broken) continue;
        const e = next.value;
        entries++;
        const where = `account ${account.id} entry ${e.version}`;
        const problem =
          BigInt(e.version) !== prev.version + 1n
            ? `${where}: version gap after ${prev.version}`
            : e.prev_hash !== prev.hash
              ? `${where}: does not link to the previous entry`
              : entryHash({
                    accountId: e.account_id,
                    version: e.version,
                    transferId: e.transfer_id,
                    transferKind: e.transfer_kind,
                    side: e.side,
                    amount: e.amount,
                    debitsPosted: e.debits_posted,
                    creditsPosted: e.credits_posted,
                    debitsPending: e.debits_pending,
                    creditsPending: e.credits_pending,
                    createdAt: new Date(e.created_at).toISOString(),
                    prevHash: e.prev_hash,
                  }) !== e.hash
                ? `${where}: hash does not match its contents`
                : undefined;
        if (problem) {
          problems.push({ kind: 'chain_broken', detail: problem });
          broken = true;
          continue;
        }
        prev = {
          hash: e.hash,
          version: BigInt(e.version),
          dp: e.debits_posted,
          cp: e.credits_posted,
          dpe: e.debits_pending,
          cpe: e.credits_pending,
        };
      }
      if (broken) continue;
      const row = [
        account.debits_posted,
        account.credits_posted,
        account.debits_pending,
        account.credits_pending,
      ].join('/');
      const last = [prev.dp, prev.cp, prev.dpe, prev.cpe].join('/');
      if (
        row !== last ||
        account.head_hash !== prev.hash ||
        BigInt(account.version) !== prev.version
      ) {
        problems.push({
          kind: 'balance_mismatch',
          detail: `account ${account.id}: balances ${row} do not match its entries (${last})`,
        });
      }
    }
    const [{ n: transfers }] = (await m.query(
      `SELECT count(*)::int n FROM payments.transfers`,
    )) as [{ n: number }];
    return { ok: problems.length === 0, accounts: accountCount, transfers, entries, problems };
  }
}

const PAGE = 5000;

/** Rows of an ordered query, a page at a time: `page(last row of the previous page)`. */
async function* keyset<T>(page: (after: T | undefined) => Promise<T[]>): AsyncGenerator<T> {
  let after: T | undefined;
  for (;;) {
    const rows = await page(after);
    yield* rows;
    if (rows.length < PAGE) return;
    after = rows.at(-1);
  }
}
