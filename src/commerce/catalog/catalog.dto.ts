import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsInt,
  IsObject,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
} from 'class-validator';
import { ContextSchema, IsCurrency, OptionalField } from '@app/platform';
import type { CategoryRow } from './category.entity.js';
import type { ProductRow } from './product.entity.js';

/** A cursor as `encodeCursor` writes it (base64url). */
export const CURSOR_PATTERN = '^[A-Za-z0-9_-]+$';
/** What a SKU looks like (the one definition: product creation and the `{sku}` path agree). */
export const SKU_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const SKU_MAX_LENGTH = 64;
const SLUG_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const CURRENCY_PATTERN = '^[A-Z]{3}$';
/** A price, in minor units: the bound product writes and search filters share. */
export const MAX_PRICE = 100_000_000;

const ATTRIBUTES_MAX_KEYS = 50;
const ATTRIBUTES_MAX_BYTES = 8192;

/**
 * Bounds a free-form `attributes` object: at most 50 keys and 8 KiB as JSON, so one product can
 * never carry a megabyte of jsonb into every read, search hit and cache entry.
 */
function IsBoundedAttributes(): PropertyDecorator {
  return ValidateBy({
    name: 'isBoundedAttributes',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'object' &&
        value !== null &&
        Object.keys(value).length <= ATTRIBUTES_MAX_KEYS &&
        Buffer.byteLength(JSON.stringify(value)) <= ATTRIBUTES_MAX_BYTES,
      defaultMessage: () =>
        `$property must have at most ${ATTRIBUTES_MAX_KEYS} keys and ${ATTRIBUTES_MAX_BYTES} bytes as JSON`,
    },
  });
}

const ATTRIBUTES_DOC = {
  maxProperties: ATTRIBUTES_MAX_KEYS,
  description: `Free-form JSON (e.g. colour, size): at most ${ATTRIBUTES_MAX_KEYS} keys and ${ATTRIBUTES_MAX_BYTES} bytes as JSON`,
  example: { color: 'black' },
} as const;

@ContextSchema('commerce')
export class CreateCategoryRequest {
  @ApiProperty({ example: 'Headphones' }) @IsString() @MinLength(1) @MaxLength(80) name: string;
  @ApiProperty({
    example: 'headphones',
    description: 'Unique across the whole tree; becomes the last segment of `path`',
  })
  @IsString()
  @MaxLength(80)
  @Matches(SLUG_PATTERN, {
    message: 'slug must be lower-case words joined by dashes',
  })
  slug: string;
  @ApiPropertyOptional({ description: 'The parent category; omit for a top-level one' })
  @OptionalField()
  @IsUUID()
  parentId?: string;
}

@ContextSchema('commerce')
export class CategoryResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) parentId: string | null;
  @ApiProperty({ example: 'Headphones' }) name: string;
  @ApiProperty({ example: 'headphones', pattern: SLUG_PATTERN.source }) slug: string;
  @ApiProperty({
    example: '/electronics/audio/headphones/',
    description: 'The slugs from the root, `/`-separated (search by category includes the subtree)',
    pattern: `^/(${SLUG_PATTERN.source.slice(1, -1)}/)+$`,
  })
  path: string;
}

@ContextSchema('commerce')
export class CreateProductRequest {
  @ApiProperty({ example: 'HP-ANC-100', description: 'Unique; letters, digits, `.`, `-`, `_`' })
  @IsString()
  @MaxLength(SKU_MAX_LENGTH)
  @Matches(SKU_PATTERN, {
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
  @ApiProperty({ example: 19900, description: 'Minor units (19900 = 199.00)' })
  @IsInt()
  @Min(0)
  @Max(MAX_PRICE)
  price: number;
  /** Upper-cased before it is checked against the ISO 4217 list (`eur` is stored as `EUR`). */
  @ApiProperty({ example: 'EUR', description: 'ISO 4217; upper-cased first (`eur` is `EUR`)' })
  @IsCurrency()
  currency: string;
  @ApiPropertyOptional({ description: 'A category from GET /v1/commerce/categories' })
  @OptionalField()
  @IsUUID()
  categoryId?: string;
  @ApiPropertyOptional(ATTRIBUTES_DOC)
  @OptionalField()
  @IsObject()
  @IsBoundedAttributes()
  attributes?: Record<string, unknown>;
}

@ContextSchema('commerce')
export class UpdateProductRequest {
  @ApiPropertyOptional() @OptionalField() @IsString() @MinLength(1) @MaxLength(200) name?: string;
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(5000) description?: string;
  @ApiPropertyOptional({ example: 17900, description: 'Minor units' })
  @OptionalField()
  @IsInt()
  @Min(0)
  @Max(MAX_PRICE)
  price?: number;
  @ApiPropertyOptional({ description: 'A category from GET /v1/commerce/categories' })
  @OptionalField()
  @IsUUID()
  categoryId?: string;
  @ApiPropertyOptional({
    ...ATTRIBUTES_DOC,
    description: `Replaces all attributes. ${ATTRIBUTES_DOC.description}`,
  })
  @OptionalField()
  @IsObject()
  @IsBoundedAttributes()
  attributes?: Record<string, unknown>;
  @ApiPropertyOptional({
    description: '`false` withdraws the product, `true` puts it back on sale',
  })
  @OptionalField()
  @IsBoolean()
  active?: boolean;
}

@ContextSchema('commerce')
export class ProductResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'HP-ANC-100', pattern: SKU_PATTERN.source }) sku: string;
  @ApiProperty({ example: 'Noise-cancelling headphones' }) name: string;
  @ApiProperty({ example: 'Over-ear, 30 h battery' }) description: string;
  @ApiProperty({ type: 'integer', format: 'int64', example: 19900, description: 'Minor units' })
  price: number;
  @ApiProperty({ example: 'EUR', pattern: CURRENCY_PATTERN }) currency: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) categoryId: string | null;
  @ApiProperty({ example: { color: 'black' } })
  attributes: Record<string, unknown>;
  @ApiProperty({ description: '`false`: withdrawn (no longer sold)' }) active: boolean;
  @ApiProperty({
    type: 'integer',
    format: 'int32',
    example: 1,
    description: 'Starts at 1, increments on every change',
  })
  version: number;
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
