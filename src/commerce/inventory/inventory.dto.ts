import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import type { InventoryRow } from './inventory-item.entity.js';

export class SetStockRequest {
  @ApiProperty({ example: 25, description: 'Units physically on hand' })
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  onHand: number;
}

export class StockResponse {
  @ApiProperty() sku: string;
  @ApiProperty() onHand: number;
  @ApiProperty({ description: 'Held for paid orders' }) reserved: number;
  @ApiProperty({ description: 'onHand − reserved' }) available: number;
}

export function mapStock(r: Pick<InventoryRow, 'sku' | 'on_hand' | 'reserved'>): StockResponse {
  return { sku: r.sku, onHand: r.on_hand, reserved: r.reserved, available: r.on_hand - r.reserved };
}
