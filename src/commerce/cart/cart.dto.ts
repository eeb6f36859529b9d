import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsUUID, Max, Min } from 'class-validator';
import type { ProductRow } from '../catalog/product.entity.js';
import type { CartLineRow } from './cart-line.entity.js';

export class AddCartItemRequest {
  @ApiProperty({ format: 'uuid' }) @IsUUID() productId: string;
  @ApiProperty({ example: 2, minimum: 1, maximum: 100 })
  @IsInt()
  @Min(1)
  @Max(100)
  quantity: number;
}

export class SetQuantityRequest {
  @ApiProperty({ example: 3, minimum: 1, maximum: 100 })
  @IsInt()
  @Min(1)
  @Max(100)
  quantity: number;
}

export class CartLineResponse {
  @ApiProperty({ format: 'uuid' }) productId: string;
  @ApiProperty() sku: string;
  @ApiProperty() name: string;
  @ApiProperty() quantity: number;
  @ApiProperty({ description: 'Current price, minor units' }) unitPrice: number;
  @ApiProperty() currency: string;
  @ApiProperty() lineTotal: number;
}

export class CartResponse {
  @ApiProperty({ type: [CartLineResponse] }) lines: CartLineResponse[];
  @ApiProperty({ example: { EUR: 39800 }, description: 'Per currency' }) totals: Record<
    string,
    number
  >;
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
