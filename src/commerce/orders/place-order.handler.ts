import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { isUniqueViolation, Transactions, type Tx } from '@app/platform';
import { DataSource, type EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { CartLineRow } from '../cart/cart-line.entity.js';
import type { ProductRow } from '../catalog/product.entity.js';
import { CommerceError } from '../commerce.error.js';
import { Inventory } from '../inventory/inventory.js';
import { orderCreated, orderFailed } from './order-events.js';
import { OrderTransitions } from './order-transitions.js';
import { Order, type OrderLine } from './order.entity.js';
import { mapOrderAccepted, type OrderAccepted } from './orders.dto.js';

export class PlaceOrder extends Command<OrderAccepted> {
  constructor(
    readonly customerId: string,
    readonly cardToken: string,
    readonly idempotencyKey: string,
  ) {
    super();
  }
}

/** A cart line with what checkout needs of its product (prices are re-read now). */
type CheckoutLineRow = Pick<CartLineRow, 'product_id' | 'quantity'> &
  Pick<ProductRow, 'sku' | 'name' | 'price' | 'currency' | 'active'>;

async function placedWith(
  db: DataSource | EntityManager,
  customerId: string,
  idempotencyKey: string,
): Promise<Pick<Order, 'id' | 'status'> | undefined> {
  const [placed] = await db.query<Pick<Order, 'id' | 'status'>[]>(
    `SELECT id, status FROM commerce.orders WHERE customer_id = $1 AND idempotency_key = $2`,
    [customerId, idempotencyKey],
  );
  return placed;
}

/**
 * Step 1 of the saga: the cart becomes a PENDING order (prices re-read now), its stock is
 * reserved, and payments is asked to charge — or, without the stock, a FAILED order.
 */
@CommandHandler(PlaceOrder)
export class PlaceOrderHandler implements ICommandHandler<PlaceOrder> {
  constructor(
    private readonly transactions: Transactions,
    private readonly inventory: Inventory,
    private readonly orders: OrderTransitions,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  async execute({ customerId, cardToken, idempotencyKey }: PlaceOrder): Promise<OrderAccepted> {
    try {
      return await this.transactions.run(async (tx) => {
        // Serialise this customer's checkouts, then answer a retry (same key) with the order it
        // already made — even once the cart it emptied is gone.
        await tx.manager.query(
          `SELECT pg_advisory_xact_lock(hashtext('commerce.checkout:' || $1))`,
          [customerId],
        );
        const placed = await placedWith(tx.manager, customerId, idempotencyKey);
        if (placed) return mapOrderAccepted(placed);
        const cart = await tx.manager.query<CheckoutLineRow[]>(
          `SELECT l.product_id, l.quantity, p.sku, p.name, p.price, p.currency, p.active
             FROM commerce.cart_lines l JOIN commerce.products p ON p.id = l.product_id
            WHERE l.customer_id = $1 ORDER BY l.added_at FOR UPDATE OF l`,
          [customerId],
        );
        if (cart.length === 0) throw new CommerceError('commerce.cart_empty', 'The cart is empty.');
        const inactive = cart.filter((l) => !l.active);
        if (inactive.length)
          throw new CommerceError(
            'commerce.product_unavailable',
            `No longer sold: ${inactive.map((l) => l.sku).join(', ')}.`,
          );
        const currencies = new Set(cart.map((l) => l.currency.trim()));
        if (currencies.size > 1)
          throw new CommerceError(
            'commerce.mixed_currencies',
            'All products of an order must be priced in one currency.',
          );
        const lines: OrderLine[] = cart.map((l) => ({
          productId: l.product_id,
          sku: l.sku,
          name: l.name,
          quantity: l.quantity,
          unitPrice: Number(l.price),
        }));
        const order = Order.place(
          customerId,
          lines,
          [...currencies][0]!,
          cardToken,
          idempotencyKey,
        );
        await tx.manager.insert(Order, order);
        await tx.manager.query(
          `INSERT INTO commerce.order_timeline (id, order_id, from_status, to_status, note) VALUES ($1, $2, NULL, 'PENDING', 'placed')`,
          [uuidv7(), order.id],
        );
        // Stock first, money second: an order that cannot be fulfilled is never charged (a
        // charge then a refund told card testers whether a card works). Last before commit,
        // so the stock rows stay locked as briefly as possible.
        const held = await this.inventory.reserve(tx.manager, order.id, lines);
        if (!held.ok) return this.outOfStock(tx, order, held.skus);
        // Only the lines this order read: one added meanwhile stays in the cart.
        await tx.manager.query(
          `DELETE FROM commerce.cart_lines WHERE customer_id = $1 AND product_id = ANY($2::uuid[])`,
          [customerId, cart.map((l) => l.product_id)],
        );
        await tx.publish(orderCreated(order));
        return mapOrderAccepted(order);
      });
    } catch (err) {
      if (!isUniqueViolation(err, 'orders_idempotency_key')) throw err;
      // A concurrent retry with the same key won the insert: answer with its order.
      return mapOrderAccepted((await placedWith(this.db, customerId, idempotencyKey))!);
    }
  }

  /**
   * Not enough stock for some line: the order fails at once and payments never hears of it.
   * The cart is kept, to change and check out again.
   */
  private async outOfStock(tx: Tx, order: Order, skus: string[]): Promise<OrderAccepted> {
    const moved = await this.orders.move(
      tx.manager,
      order.id,
      'FAILED',
      `out of stock: ${skus.join(', ')}`,
      'out_of_stock',
    );
    if (!moved.ok) throw new Error(`order ${order.id} just placed could not fail: ${moved.reason}`);
    await tx.publish(orderFailed(moved.order, 'out_of_stock', false));
    return mapOrderAccepted(moved.order);
  }
}
