import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { decodeCursor, toPage } from '@app/platform';
import { DataSource } from 'typeorm';
import { Accounts } from './accounts.js';
import { mapEntry, type EntryPage, type StatementEntry } from './accounts.dto.js';

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

/** The statement: newest first, keyed by account version. */
@QueryHandler(ListEntries)
export class ListEntriesHandler implements IQueryHandler<ListEntries> {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly accounts: Accounts,
  ) {}

  async execute({ ownerId, accountId, limit, cursor }: ListEntries): Promise<EntryPage> {
    await this.accounts.owned(ownerId, accountId);
    const after = decodeCursor<{ v: string }>(cursor, { v: 'integer' });
    const rows: StatementEntry[] = await this.db.query(
      `SELECT transfer_id, version, transfer_kind, side, amount, debits_posted, credits_posted, debits_pending, created_at
         FROM payments.entries WHERE account_id = $1 AND ($2::bigint IS NULL OR version < $2::bigint)
        ORDER BY version DESC LIMIT $3`,
      [accountId, after?.v ?? null, limit + 1],
    );
    return toPage(rows, limit, mapEntry, (r) => ({ v: String(r.version) }));
  }
}
