import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { decodeCursor, toPage, type PageQuery } from '@app/platform';
import { DataSource } from 'typeorm';
import { mapCard, type CardPage } from './vault.dto.js';

/** The cards a user has vaulted, newest first. */
export class ListCards extends Query<CardPage> {
  constructor(
    readonly ownerId: string,
    readonly page: PageQuery,
  ) {
    super();
  }
}

/** The columns a list needs; the cursor keeps `created_at` as PostgreSQL text (microseconds). */
interface CardListRow {
  token: string;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
  at: string;
}

/** Never selects the ciphertext, its key id or the fingerprint. */
@QueryHandler(ListCards)
export class ListCardsHandler implements IQueryHandler<ListCards> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ ownerId, page }: ListCards): Promise<CardPage> {
    const after = decodeCursor<{ at: string; token: string }>(page.cursor, {
      at: 'timestamp',
      token: 'string',
    });
    const rows = await this.db.query<CardListRow[]>(
      `SELECT token, brand, last4, exp_month AS "expMonth", exp_year AS "expYear", created_at::text AS at
         FROM payments.cards
        WHERE owner_id = $1 AND ($2::timestamptz IS NULL OR (created_at, token) < ($2::timestamptz, $3::text))
        ORDER BY created_at DESC, token DESC LIMIT $4`,
      [ownerId, after?.at ?? null, after?.token ?? null, page.limit + 1],
    );
    return toPage(rows, page.limit, mapCard, (r) => ({ at: r.at, token: r.token }));
  }
}
