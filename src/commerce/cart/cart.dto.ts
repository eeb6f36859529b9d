import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsUUID, Max, Min } from 'class-validator';
import { ContextSchema } from '@app/platform';
import { SKU_PATTERN } from '../catalog/catalog.dto.js';
import type { ProductRow } from '../catalog/product.entity.js';
import type { CartLineRow } from './cart-line.entity.js';

/** The most of one product a cart line holds (the handler caps added quantities at it too). */
const MAX_LINE_QUANTITY = 100;

@ContextSchema('commerce')
export class AddCartItemRequest {
  @ApiProperty({ description: 'A product on sale (a search hit’s `id`)' })
  @IsUUID()
  productId: string;
  @ApiProperty({
    example: 2,
    description: `Added to the line’s quantity; the line is capped at ${MAX_LINE_QUANTITY}`,
  })
  @IsInt()
  @Min(1)
  @Max(MAX_LINE_QUANTITY)
  quantity: number;
}

@ContextSchema('commerce')
export class SetQuantityRequest {
  @ApiProperty({ example: 3, description: 'The line’s new quantity (to remove it, DELETE it)' })
  @IsInt()
  @Min(1)
  @Max(MAX_LINE_QUANTITY)
  quantity: number;
}

@ContextSchema('commerce')
export class CartLineResponse {
  @ApiProperty({ format: 'uuid' }) productId: string;
  @ApiProperty({ example: 'DEMO-000000', pattern: SKU_PATTERN.source }) sku: string;
  @ApiProperty({ example: 'Noise-cancelling headphones' }) name: string;
  @ApiProperty({ type: 'integer', format: 'int32', example: 2 }) quantity: number;
  @ApiProperty({
    type: 'integer',
    format: 'int64',
    example: 19900,
    description: 'The product’s current price, minor units',
  })
  unitPrice: number;
  @ApiProperty({ example: 'EUR', pattern: '^[A-Z]{3}$' }) currency: string;
  @ApiProperty({
    type: 'integer',
    format: 'int64',
    example: 39800,
    description: 'unitPrice × quantity, minor units',
  })
  lineTotal: number;
}

@ContextSchema('commerce')
export class CartResponse {
  @ApiProperty({ type: [CartLineResponse], description: 'In the order they were added' })
  lines: CartLineResponse[];
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer', format: 'int64' },
    example: { EUR: 39800 },
    description: 'Sum of the line totals per currency, minor units (empty for an empty cart)',
  })
  totals: Record<string, number>;
}

/** A cart line joined with its product's current name and price. */
export type PricedCartLineRow = Pick<CartLineRow, 'product_id' | 'quantity'> &
  Pick<ProductRow, 'sku' | 'name' | 'price' | 'currency'>;

export function mapCartLine(r: PricedCartLineRow): CartLineResponse {
  const unitPrice = Number(r.price);
  return {
    productId: r.product_id,
    sku: r.sku,
    name: r.name,
    quantity: r.quantity,
    unitPrice,
    currency: r.currency.trim(),
    lineTotal: unitPrice * r.quantity,
  };
}

/** The cart's lines with their totals per currency. */
export function mapCart(rows: PricedCartLineRow[]): CartResponse {
  const lines = rows.map(mapCartLine);
  const totals: Record<string, number> = {};
  for (const l of lines) totals[l.currency] = (totals[l.currency] ?? 0) + l.lineTotal;
  return { lines, totals };
}
