import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Stock per sku — PostgreSQL is the truth (Redis mirrors `available` for fast reads).
 * `reserved` is stock held for paid orders; the CHECKs make overselling impossible even for a
 * buggy caller.
 */
@Entity({ schema: 'commerce', name: 'inventory' })
@Check('inventory_non_negative', 'on_hand >= 0 AND reserved >= 0')
@Check('inventory_reserved_within_on_hand', 'reserved <= on_hand')
export class InventoryItem {
  @PrimaryColumn('text') sku: string;
  @Column('int', { name: 'on_hand', default: 0 }) onHand: number;
  @Column('int', { default: 0 }) reserved: number;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
}

export type MovementReason = 'adjust' | 'reserve' | 'release' | 'commit' | 'restock';

/**
 * Every change to stock, with what caused it. For order-driven movements the unique key
 * (order, sku, reason) makes repeating a step a no-op.
 */
@Entity({ schema: 'commerce', name: 'stock_movements' })
@Index('stock_movements_order_key', ['orderId', 'sku', 'reason'], {
  unique: true,
  where: 'order_id IS NOT NULL',
})
@Index('stock_movements_sku_idx', ['sku', 'createdAt'])
export class StockMovement {
  @PrimaryColumn('uuid') id: string;
  @Column('text') sku: string;
  @Column('text') reason: MovementReason;
  @Column('int', { name: 'on_hand_delta' }) onHandDelta: number;
  @Column('int', { name: 'reserved_delta' }) reservedDelta: number;
  @Column('uuid', { name: 'order_id', nullable: true }) orderId: string | null;
  @Column('uuid', { name: 'actor_id', nullable: true }) actorId: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
}
