import type { DataSource } from 'typeorm';
import { mapCart, type CartResponse, type PricedCartLineRow } from './cart.dto.js';

/** A customer's cart at current prices, in the order lines were added. */
export async function readCart(db: DataSource, customerId: string): Promise<CartResponse> {
  const rows = await db.query<PricedCartLineRow[]>(
    `SELECT l.product_id, l.quantity, p.sku, p.name, p.price, p.currency
       FROM commerce.cart_lines l JOIN commerce.products p ON p.id = l.product_id
      WHERE l.customer_id = $1 ORDER BY l.added_at`,
    [customerId],
  );
  return mapCart(rows);
}
