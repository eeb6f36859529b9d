import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, IsUUID, MaxLength, Min } from 'class-validator';
import { PageQuery } from '@app/platform';
import { mapProduct, ProductResponse } from './catalog.dto.js';
import type { CategoryRow } from './category.entity.js';
import type { ProductRow } from './product.entity.js';

export class SearchQuery extends PageQuery {
  @ApiPropertyOptional({
    example: 'wireless head',
    description: 'Words; the last one matches as a prefix',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Includes its subcategories' })
  @IsOptional()
  @IsUUID()
  categoryId?: string;
  @ApiPropertyOptional({ description: 'Minor units, inclusive' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  minPrice?: number;
  @ApiPropertyOptional({ description: 'Minor units, inclusive' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  maxPrice?: number;
  @ApiPropertyOptional({ description: 'Only products with available stock' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  inStock?: boolean;
}

export class SearchHit extends ProductResponse {
  @ApiProperty({ example: 0.61, description: 'Relevance (0 when there is no query)' }) rank: number;
  @ApiProperty({ example: 12, description: 'Available stock' }) available: number;
}

export class CategoryFacet {
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) categoryId: string | null;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty() count: number;
}

export class PriceFacet {
  @ApiProperty({ example: 1000 }) min: number;
  @ApiProperty({ example: 4999, nullable: true, type: Number }) max: number | null;
  @ApiProperty() count: number;
}

export class Facets {
  @ApiProperty({ type: [CategoryFacet] }) categories: CategoryFacet[];
  @ApiProperty({ type: [PriceFacet] }) price: PriceFacet[];
  @ApiProperty({ description: 'Products matching the query and filters' }) total: number;
}

export class SearchResponse {
  @ApiProperty({ type: [SearchHit] }) items: SearchHit[];
  @ApiProperty({ type: Facets }) facets: Facets;
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
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
