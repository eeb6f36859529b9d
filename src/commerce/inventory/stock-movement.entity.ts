import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

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

/** A `commerce.stock_movements` row as raw SQL returns it (the one row type of this table). */
export interface StockMovementRow {
  id: string;
  sku: string;
  reason: MovementReason;
  on_hand_delta: number;
  reserved_delta: number;
  order_id: string | null;
  actor_id: string | null;
  created_at: Date;
}
