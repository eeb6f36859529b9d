import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { decodeCursor, toPage } from '@app/platform';
import { DataSource } from 'typeorm';
import { PaymentsError } from '../payments.error.js';
import {
  mapAccount,
  type AccountResponse,
  type AccountRow,
  type EntryPage,
} from './accounts.dto.js';

export class GetAccount extends Query<AccountResponse> {
  constructor(
    readonly ownerId: string,
    readonly accountId: string,
  ) {
    super();
  }
}

export class ListEntries extends Query<EntryPage> {
  constructor(
    readonly ownerId: string,
    readonly accountId: string,
    readonly limit: number,
    readonly cursor?: string,
  ) {
    super();
  }
}

/** Someone else's account answers exactly like a missing one. */
export async function ownedAccount(
  db: DataSource,
  ownerId: string,
  accountId: string,
): Promise<AccountRow> {
  const [row] = await db.query(
    `SELECT id, currency, debits_posted, credits_posted, debits_pending, created_at
       FROM payments.accounts WHERE id = $1 AND owner_id = $2`,
    [accountId, ownerId],
  );
  if (!row) throw new PaymentsError('payments.account_not_found', `No account ${accountId}.`);
  return row;
}

@QueryHandler(GetAccount)
export class GetAccountHandler implements IQueryHandler<GetAccount> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ ownerId, accountId }: GetAccount): Promise<AccountResponse> {
    return mapAccount(await ownedAccount(this.db, ownerId, accountId));
  }
}

/** The statement: newest first, keyed by account version. */
@QueryHandler(ListEntries)
export class ListEntriesHandler implements IQueryHandler<ListEntries> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ ownerId, accountId, limit, cursor }: ListEntries): Promise<EntryPage> {
    await ownedAccount(this.db, ownerId, accountId);
    const after = decodeCursor<{ v: string }>(cursor, ['v']);
    const rows = await this.db.query(
      `SELECT transfer_id, version, transfer_kind, side, amount, debits_posted, credits_posted, debits_pending, created_at
         FROM payments.entries WHERE account_id = $1 AND ($2::bigint IS NULL OR version < $2::bigint)
        ORDER BY version DESC LIMIT $3`,
      [accountId, after?.v ?? null, limit + 1],
    );
    return toPage(
      rows,
      limit,
      (r: any) => {
        const posted = BigInt(r.credits_posted) - BigInt(r.debits_posted);
        const pending = BigInt(r.debits_pending);
        return {
          transferId: r.transfer_id,
          version: Number(r.version),
          kind: r.transfer_kind,
          side: r.side,
          amount: Number(r.amount),
          balanceAfter: {
            posted: Number(posted),
            pending: Number(pending),
            available: Number(posted - pending),
          },
          createdAt: new Date(r.created_at).toISOString(),
        };
      },
      (r: any) => ({ v: String(r.version) }),
    );
  }
}
