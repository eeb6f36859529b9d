import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { ContextSchema } from '@app/platform';
import { SKU_MAX_LENGTH, SKU_PATTERN } from '../catalog/catalog.dto.js';
import type { InventoryRow } from './inventory-item.entity.js';

/** `{sku}` in a path: validated like a product's SKU (a 400 naming it, before any query). */
@ContextSchema('commerce')
export class SkuParam {
  @ApiProperty({ example: 'DEMO-000000', description: 'A product’s SKU' })
  @IsString()
  @MaxLength(SKU_MAX_LENGTH)
  @Matches(SKU_PATTERN, { message: 'sku must be 1–64 letters, digits, dot, dash or underscore' })
  sku: string;
}

@ContextSchema('commerce')
export class SetStockRequest {
  @ApiProperty({ example: 25, description: 'Units physically on hand (not a delta)' })
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  onHand: number;
}

@ContextSchema('commerce')
export class StockResponse {
  @ApiProperty({ example: 'DEMO-000000', pattern: SKU_PATTERN.source }) sku: string;
  @ApiProperty({ type: 'integer', format: 'int32', example: 25, description: 'Units on hand' })
  onHand: number;
  @ApiProperty({
    type: 'integer',
    format: 'int32',
    example: 2,
    description: 'Held at checkout for orders awaiting payment',
  })
  reserved: number;
  @ApiProperty({
    type: 'integer',
    format: 'int32',
    example: 23,
    description: 'onHand − reserved: what new orders can still get',
  })
  available: number;
}

export function mapStock(r: Pick<InventoryRow, 'sku' | 'on_hand' | 'reserved'>): StockResponse {
  return { sku: r.sku, onHand: r.on_hand, reserved: r.reserved, available: r.on_hand - r.reserved };
}
