import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One line of a customer's cart. Prices are not stored: they are re-read at checkout. */
@Entity({ schema: 'commerce', name: 'cart_lines' })
export class CartLine {
  @PrimaryColumn('uuid', { name: 'customer_id' }) customerId: string;
  @PrimaryColumn('uuid', { name: 'product_id' }) productId: string;
  @Column('int') quantity: number;
  @Column('timestamptz', { name: 'added_at', default: () => 'now()' }) addedAt: Date;
}

/** A `commerce.cart_lines` row as raw SQL returns it (the one row type of this table). */
export interface CartLineRow {
  customer_id: string;
  product_id: string;
  quantity: number;
  added_at: Date;
}
