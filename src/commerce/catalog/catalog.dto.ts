import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { PageQuery } from '@app/platform';

const upper = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.toUpperCase() : value;

export class CreateCategoryRequest {
  @ApiProperty({ example: 'Headphones' }) @IsString() @MinLength(1) @MaxLength(80) name: string;
  @ApiProperty({ example: 'headphones' })
  @IsString()
  @Matches(/^[a-z0-9]+(-[a-z0-9]+)*$/, {
    message: 'slug must be lower-case words joined by dashes',
  })
  slug: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() parentId?: string;
}

export class CategoryResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) parentId: string | null;
  @ApiProperty() name: string;
  @ApiProperty() slug: string;
  @ApiProperty({ example: '/electronics/audio/headphones/' }) path: string;
}

export class CreateProductRequest {
  @ApiProperty({ example: 'HP-ANC-100' })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
    message: 'sku must be 1–64 letters, digits, dot, dash or underscore',
  })
  sku: string;
  @ApiProperty({ example: 'Noise-cancelling headphones' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;
  @ApiProperty({ example: 'Over-ear, 30 h battery' })
  @IsString()
  @MaxLength(5000)
  description: string;
  @ApiProperty({ example: 19900, description: 'Minor units' })
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  price: number;
  @ApiProperty({ example: 'EUR' })
  @Transform(upper)
  @IsString()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as EUR' })
  currency: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() categoryId?: string;
  @ApiPropertyOptional({ example: { color: 'black' } })
  @IsOptional()
  @IsObject()
  attributes?: Record<string, unknown>;
}

export class UpdateProductRequest {
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(200) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(5000) description?: string;
  @ApiPropertyOptional({ description: 'Minor units' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  price?: number;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() categoryId?: string;
  @ApiPropertyOptional() @IsOptional() @IsObject() attributes?: Record<string, unknown>;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() active?: boolean;
}

export class ProductResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() sku: string;
  @ApiProperty() name: string;
  @ApiProperty() description: string;
  @ApiProperty({ example: 19900 }) price: number;
  @ApiProperty({ example: 'EUR' }) currency: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) categoryId: string | null;
  @ApiProperty() attributes: Record<string, unknown>;
  @ApiProperty() active: boolean;
  @ApiProperty({ description: 'Increments on every change' }) version: number;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export function mapProduct(r: any): ProductResponse {
  return {
    id: r.id,
    sku: r.sku,
    name: r.name,
    description: r.description,
    price: Number(r.price),
    currency: String(r.currency).trim(),
    categoryId: r.category_id ?? r.categoryId ?? null,
    attributes: r.attributes ?? {},
    active: r.active,
    version: r.version,
    updatedAt: new Date(r.updated_at ?? r.updatedAt).toISOString(),
  };
}

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
