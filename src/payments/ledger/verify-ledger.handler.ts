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
 * Streams entries in pages so it stays flat in memory.
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
    const holds: { id: string }[] = await m.query(
      `WITH open AS (
         SELECT p.* FROM payments.transfers p
          WHERE p.kind = 'pending' AND NOT EXISTS (SELECT 1 FROM payments.transfers r WHERE r.pending_id = p.id))
       SELECT a.id FROM payments.accounts a
        WHERE a.debits_pending <> COALESCE((SELECT sum(amount) FROM open WHERE debit_account_id = a.id), 0)
           OR a.credits_pending <> COALESCE((SELECT sum(amount) FROM open WHERE credit_account_id = a.id), 0)`,
    );
    for (const a of holds)
      problems.push({
        kind: 'balance_mismatch',
        detail: `account ${a.id}: pending balances differ from its open holds`,
      });

    const accounts: CheckedAccount[] = await m.query(
      `SELECT id, version, head_hash, debits_posted, credits_posted, debits_pending, credits_pending FROM payments.accounts ORDER BY id`,
    );
    let entries = 0;
    for (const account of accounts) {
      let prev = { hash: '', version: 0n, dp: '0', cp: '0', dpe: '0', cpe: '0' };
      let broken = false;
      for (let after = 0n; !broken;) {
        const page: Omit<EntryRow, 'id'>[] = await m.query(
          `SELECT account_id, version, transfer_id, transfer_kind, side, amount, debits_posted, credits_posted,
                  debits_pending, credits_pending, prev_hash, hash, created_at
             FROM payments.entries WHERE account_id = $1 AND version > $2 ORDER BY version LIMIT 1000`,
          [account.id, after.toString()],
        );
        if (page.length === 0) break;
        for (const e of page) {
          entries++;
          const recomputed = entryHash({
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
          });
          const where = `account ${account.id} entry ${e.version}`;
          if (BigInt(e.version) !== prev.version + 1n)
            problems.push({
              kind: 'chain_broken',
              detail: `${where}: version gap after ${prev.version}`,
            });
          else if (e.prev_hash !== prev.hash)
            problems.push({
              kind: 'chain_broken',
              detail: `${where}: does not link to the previous entry`,
            });
          else if (recomputed !== e.hash)
            problems.push({
              kind: 'chain_broken',
              detail: `${where}: hash does not match its contents`,
            });
          else {
            prev = {
              hash: e.hash,
              version: BigInt(e.version),
              dp: e.debits_posted,
              cp: e.credits_posted,
              dpe: e.debits_pending,
              cpe: e.credits_pending,
            };
            continue;
          }
          broken = true;
          break;
        }
        after = BigInt(page[page.length - 1]!.version);
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
    return { ok: problems.length === 0, accounts: accounts.length, transfers, entries, problems };
  }
}
