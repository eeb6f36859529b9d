import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { ContextSchema, PageQuery, QueryNumber } from '@app/platform';
import { CURSOR_PATTERN, MAX_PRICE, mapProduct, ProductResponse } from './catalog.dto.js';
import type { CategoryRow } from './category.entity.js';
import type { ProductRow } from './product.entity.js';

// No examples on the filters: Swagger UI pre-fills a parameter's example, and a pre-filled price
// bound or category would silently narrow every search tried there.
@ContextSchema('commerce')
export class SearchQuery extends PageQuery {
  @ApiPropertyOptional({
    description:
      'Words (letters and digits; anything else separates them), each matched as a prefix ' +
      'against the name (ranked higher) and the description; a product must match them all ' +
      '(`wirel headph` finds "Wireless Headphones"). Omit to browse everything matching the ' +
      'filters, newest first.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({
    description:
      'Only this category and its subcategories (an id from GET /v1/commerce/categories)',
  })
  @IsOptional()
  @IsUUID()
  categoryId?: string;
  @ApiPropertyOptional({ description: 'Lowest price, minor units, inclusive' })
  @IsOptional()
  @QueryNumber()
  @IsInt()
  @Min(0)
  @Max(MAX_PRICE)
  minPrice?: number;
  @ApiPropertyOptional({ description: 'Highest price, minor units, inclusive' })
  @IsOptional()
  @QueryNumber()
  @IsInt()
  @Min(0)
  @Max(MAX_PRICE)
  maxPrice?: number;
  @ApiPropertyOptional({ description: '`true`: only products with available stock (> 0)' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  inStock?: boolean;
}

@ContextSchema('commerce')
export class SearchHit extends ProductResponse {
  @ApiProperty({
    type: 'number',
    format: 'float',
    example: 0.61,
    description: 'Relevance, higher first (0 when there is no `q`)',
  })
  rank: number;
  @ApiProperty({
    type: 'integer',
    format: 'int32',
    example: 12,
    description: 'Available stock: on hand − reserved (0 without a stock record)',
  })
  available: number;
}

@ContextSchema('commerce')
export class CategoryFacet {
  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'null: products without a category',
  })
  categoryId: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'Headphones' }) name: string | null;
  @ApiProperty({ type: 'integer', format: 'int32', example: 3 }) count: number;
}

@ContextSchema('commerce')
export class PriceFacet {
  @ApiProperty({
    type: 'integer',
    format: 'int64',
    example: 1000,
    description: 'Minor units, inclusive',
  })
  min: number;
  @ApiProperty({
    type: 'integer',
    format: 'int64',
    example: 4999,
    nullable: true,
    description: 'Minor units, inclusive; null for the open-ended top bucket',
  })
  max: number | null;
  @ApiProperty({ type: 'integer', format: 'int32', example: 2 }) count: number;
}

@ContextSchema('commerce')
export class Facets {
  @ApiProperty({
    type: [CategoryFacet],
    description: 'Matches per category (the 50 largest), over the whole result, not just this page',
  })
  categories: CategoryFacet[];
  @ApiProperty({
    type: [PriceFacet],
    description: 'Matches per price bucket: 0–999, 1000–4999, 5000–9999, 10000–49999, 50000+',
  })
  price: PriceFacet[];
  @ApiProperty({
    type: 'integer',
    format: 'int32',
    example: 42,
    description: 'Products matching the query and filters (all pages)',
  })
  total: number;
}

@ContextSchema('commerce')
export class SearchResponse {
  @ApiProperty({ type: [SearchHit] }) items: SearchHit[];
  @ApiProperty({ type: Facets }) facets: Facets;
  @ApiProperty({
    type: String,
    nullable: true,
    pattern: CURSOR_PATTERN,
    description: 'Pass as `cursor` for the next page; null on the last page',
  })
  nextCursor: string | null;
}

/** A search result row: the product, its available stock and its rank (also as exact text). */
export type SearchHitRow = ProductRow & { available: number; rank: number; rank_text: string };
/** A category facet row. */
export type CategoryFacetRow = Pick<ProductRow, 'category_id'> & {
  name: CategoryRow['name'] | null;
  count: number;
};
/** A price bucket row (`bigint` bounds arrive as strings). */
export interface PriceFacetRow {
  lo: string;
  hi: string | null;
  count: number;
}

export function mapSearchHit(r: SearchHitRow): SearchHit {
  return { ...mapProduct(r), rank: Number(r.rank), available: Number(r.available) };
}

export function mapCategoryFacet(r: CategoryFacetRow): CategoryFacet {
  return { categoryId: r.category_id, name: r.name, count: r.count };
}

export function mapPriceFacet(r: PriceFacetRow): PriceFacet {
  return { min: Number(r.lo), max: r.hi === null ? null : Number(r.hi), count: r.count };
}
