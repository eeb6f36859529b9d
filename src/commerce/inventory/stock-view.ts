import type { DataSource } from 'typeorm';
import { CommerceError } from '../commerce.error.js';
import type { InventoryRow } from './inventory-item.entity.js';
import { mapStock, type StockResponse } from './inventory.dto.js';

/** A sku's stock, read from PostgreSQL (the only copy). */
export async function readStock(db: DataSource, sku: string): Promise<StockResponse> {
  const [row] = await db.query<Pick<InventoryRow, 'sku' | 'on_hand' | 'reserved'>[]>(
    `SELECT sku, on_hand, reserved FROM commerce.inventory WHERE sku = $1`,
    [sku],
  );
  if (!row) throw new CommerceError('commerce.product_not_found', `No stock record for ${sku}.`);
  return mapStock(row);
}
