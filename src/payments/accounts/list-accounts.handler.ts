import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { decodeCursor, toPage, type PageQuery } from '@app/platform';
import { DataSource } from 'typeorm';
import type { AccountView } from './accounts.js';
import { mapAccount, type AccountPage } from './accounts.dto.js';

/** The caller's wallet accounts with their balances, newest first. */
export class ListAccounts extends Query<AccountPage> {
  constructor(
    readonly ownerId: string,
    readonly page: PageQuery,
  ) {
    super();
  }
}

/** Keyset-paginated by id (UUIDv7: id order is opening order). */
@QueryHandler(ListAccounts)
export class ListAccountsHandler implements IQueryHandler<ListAccounts> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ ownerId, page }: ListAccounts): Promise<AccountPage> {
    const after = decodeCursor<{ id: string }>(page.cursor, { id: 'uuid' });
    const rows = await this.db.query<AccountView[]>(
      `SELECT id, currency, debits_posted, credits_posted, debits_pending, created_at
         FROM payments.accounts
        WHERE owner_id = $1 AND kind = 'wallet' AND ($2::uuid IS NULL OR id < $2::uuid)
        ORDER BY id DESC LIMIT $3`,
      [ownerId, after?.id ?? null, page.limit + 1],
    );
    return toPage(rows, page.limit, mapAccount, (r) => ({ id: r.id }));
  }
}
