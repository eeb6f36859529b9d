import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Stock per sku (PostgreSQL is the only copy). `reserved` is stock checkout held for orders
 * awaiting their payment; the CHECKs make overselling impossible even for a buggy caller.
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

/** A `commerce.inventory` row as raw SQL returns it (the one row type of this table). */
export interface InventoryRow {
  sku: string;
  on_hand: number;
  reserved: number;
  updated_at: Date;
}
