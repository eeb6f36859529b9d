import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { decodeCursor, encodeCursor } from '@app/platform';
import { DataSource } from 'typeorm';
import {
  mapCategoryFacet,
  mapPriceFacet,
  mapSearchHit,
  type CategoryFacetRow,
  type PriceFacetRow,
  type SearchHitRow,
  type SearchQuery,
  type SearchResponse,
} from './search.dto.js';

export class SearchProducts extends Query<SearchResponse> {
  constructor(readonly query: SearchQuery) {
    super();
  }
}

/** Price facet buckets, in minor units: [min, max]. */
export const PRICE_BUCKETS: [number, number | null][] = [
  [0, 999],
  [1000, 4999],
  [5000, 9999],
  [10_000, 49_999],
  [50_000, null],
];

/** Every word becomes a prefix term: `wire head` → `wire:* & head:*`. */
export function toTsQuery(q: string | undefined): string | null {
  const words = (q ?? '').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.length ? words.map((w) => `${w}:*`).join(' & ') : null;
}

/**
 * Full-text search in PostgreSQL: weighted tsvector (name > description), prefix terms, ranked
 * with ts_rank_cd; filters by category subtree, price range and stock; facet counts per category
 * and price bucket over the same filtered set; keyset pagination on (rank, id).
 */
@QueryHandler(SearchProducts)
export class SearchProductsHandler implements IQueryHandler<SearchProducts> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ query }: SearchProducts): Promise<SearchResponse> {
    const ts = toTsQuery(query.q);
    const params: unknown[] = [
      ts,
      query.categoryId ?? null,
      query.minPrice ?? null,
      query.maxPrice ?? null,
      query.inStock ?? false,
    ];
    const matched = `
      SELECT p.*, COALESCE(i.on_hand - i.reserved, 0) AS available,
             CASE WHEN $1::text IS NULL THEN 0::real ELSE ts_rank_cd(p.search, to_tsquery('english', $1)) END AS rank
        FROM commerce.products p
        LEFT JOIN commerce.inventory i ON i.sku = p.sku
       WHERE p.active
         AND ($1::text IS NULL OR p.search @@ to_tsquery('english', $1))
         AND ($2::uuid IS NULL OR p.category_id IN (
               SELECT c.id FROM commerce.categories c, commerce.categories root
                WHERE root.id = $2 AND c.path LIKE root.path || '%'))
         AND ($3::bigint IS NULL OR p.price >= $3)
         AND ($4::bigint IS NULL OR p.price <= $4)
         AND (NOT $5::boolean OR COALESCE(i.on_hand - i.reserved, 0) > 0)`;

    const after = decodeCursor<{ r: string; id: string }>(query.cursor, { r: 'real', id: 'uuid' });
    const rows: SearchHitRow[] = await this.db.query(
      `WITH m AS (${matched})
       SELECT *, rank::text AS rank_text FROM m
        WHERE ($6::real IS NULL OR (rank, id) < ($6::real, $7::uuid))
        ORDER BY rank DESC, id DESC LIMIT $8`,
      [...params, after?.r ?? null, after?.id ?? null, query.limit + 1],
    );
    const [categories, prices, [{ total }]] = await Promise.all([
      this.db.query<CategoryFacetRow[]>(
        `WITH m AS (${matched})
         SELECT m.category_id, c.name, count(*)::int AS count FROM m LEFT JOIN commerce.categories c ON c.id = m.category_id
          GROUP BY m.category_id, c.name ORDER BY count DESC, c.name LIMIT 50`,
        params,
      ),
      this.db.query<PriceFacetRow[]>(
        `WITH m AS (${matched}), b AS (SELECT * FROM unnest($6::bigint[], $7::bigint[]) AS b(lo, hi))
         SELECT b.lo, b.hi, count(m.id)::int AS count FROM b LEFT JOIN m ON m.price >= b.lo AND (b.hi IS NULL OR m.price <= b.hi)
          GROUP BY b.lo, b.hi ORDER BY b.lo`,
        [...params, PRICE_BUCKETS.map((b) => b[0]), PRICE_BUCKETS.map((b) => b[1])],
      ),
      this.db.query<{ total: number }[]>(
        `WITH m AS (${matched}) SELECT count(*)::int AS total FROM m`,
        params,
      ),
    ]);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map(mapSearchHit),
      facets: {
        categories: categories.map(mapCategoryFacet),
        price: prices.map(mapPriceFacet),
        total,
      },
      nextCursor:
        rows.length > query.limit && last ? encodeCursor({ r: last.rank_text, id: last.id }) : null,
    };
  }
}
