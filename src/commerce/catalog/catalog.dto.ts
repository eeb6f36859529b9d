import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
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
import { IsCurrency } from '@app/platform';
import type { CategoryRow } from './category.entity.js';
import type { ProductRow } from './product.entity.js';

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
  /** Upper-cased before it is checked against the ISO 4217 list (`eur` is stored as `EUR`). */
  @ApiProperty({ example: 'EUR' })
  @IsCurrency()
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

export function mapCategory(r: CategoryRow): CategoryResponse {
  return { id: r.id, parentId: r.parent_id, name: r.name, slug: r.slug, path: r.path };
}

export function mapProduct(r: ProductRow): ProductResponse {
  return {
    id: r.id,
    sku: r.sku,
    name: r.name,
    description: r.description,
    price: Number(r.price),
    currency: r.currency.trim(),
    categoryId: r.category_id,
    attributes: r.attributes ?? {},
    active: r.active,
    version: r.version,
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

/** A product read back from the cache: the same whitelist as `mapProduct`, nothing else passes. */
export function mapCachedProduct(c: ProductResponse): ProductResponse {
  return {
    id: c.id,
    sku: c.sku,
    name: c.name,
    description: c.description,
    price: c.price,
    currency: c.currency,
    categoryId: c.categoryId,
    attributes: c.attributes,
    active: c.active,
    version: c.version,
    updatedAt: c.updatedAt,
  };
}
