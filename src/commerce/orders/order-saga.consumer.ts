import { Injectable } from '@nestjs/common';
import { PaymentFailed, PaymentSucceeded } from '@app/contracts/payments';
import { Consumes, type IntegrationEventConsumer, type Tx } from '@app/platform';
import { Inventory } from '../inventory/inventory.js';
import { orderCancelled, orderConfirmed, orderFailed } from './order-events.js';
import { InventoryInsufficient, InventoryReserved } from './order-internal.events.js';
import { OrderTransitions } from './order-transitions.js';

/*
 * The order saga, choreographed exactly as the seed describes it:
 *   1. order PENDING → commerce.order-created              (PlaceOrderHandler)
 *   2. payments charges → payments.payment-succeeded | payment-failed
 *   3. inventory reserves → commerce.inventory-reserved | inventory-insufficient  (internal)
 *   4. orders confirms → commerce.order-confirmed            (notifications emails it)
 * Compensation: inventory-insufficient → FAILED → commerce.order-cancelled → payments refunds;
 * payment-failed → FAILED, nothing to reserve; a stalled order times out (OrderTimeouts).
 * Every step is a state-machine move: a duplicate or late event finds the order already moved
 * and does nothing.
 */

/** Step 3: paid → hold the stock (all lines or none). */
@Injectable()
@Consumes(PaymentSucceeded, 'commerce.reserve-stock')
export class ReserveStockOnPayment implements IntegrationEventConsumer<PaymentSucceeded> {
  constructor(
    private readonly orders: OrderTransitions,
    private readonly inventory: Inventory,
  ) {}

  async consume(event: PaymentSucceeded, tx: Tx): Promise<void> {
    const moved = await this.orders.move(
      tx.manager,
      event.payload.orderId,
      'PAID',
      `payment ${event.payload.paymentId}`,
    );
    if (!moved.ok) return; // duplicate, or the order timed out (its cancellation refunds the payment)
    const result = await this.inventory.reserve(tx.manager, moved.order.id, moved.order.lines);
    await tx.publish(
      result.ok
        ? new InventoryReserved({ orderId: moved.order.id })
        : new InventoryInsufficient({ orderId: moved.order.id, skus: result.skus }),
    );
  }
}

/** Step 4: stock held → CONFIRMED; the held units leave the shelf. */
@Injectable()
@Consumes(InventoryReserved, 'commerce.confirm-order')
export class ConfirmOrder implements IntegrationEventConsumer<InventoryReserved> {
  constructor(
    private readonly orders: OrderTransitions,
    private readonly inventory: Inventory,
  ) {}

  async consume(event: InventoryReserved, tx: Tx): Promise<void> {
    const moved = await this.orders.move(
      tx.manager,
      event.payload.orderId,
      'CONFIRMED',
      'stock reserved',
    );
    if (!moved.ok) return;
    await this.inventory.commit(tx.manager, moved.order.id, moved.order.lines);
    await tx.publish(orderConfirmed(moved.order));
  }
}

/** Compensation: paid but out of stock → FAILED, and payments refunds. */
@Injectable()
@Consumes(InventoryInsufficient, 'commerce.fail-order-out-of-stock')
export class FailOrderOutOfStock implements IntegrationEventConsumer<InventoryInsufficient> {
  constructor(private readonly orders: OrderTransitions) {}

  async consume(event: InventoryInsufficient, tx: Tx): Promise<void> {
    const moved = await this.orders.move(
      tx.manager,
      event.payload.orderId,
      'FAILED',
      `out of stock: ${event.payload.skus.join(', ')}`,
      'out_of_stock',
    );
    if (!moved.ok) return;
    await tx.publish(
      orderFailed(moved.order, 'out_of_stock', true),
      orderCancelled(moved.order, 'out_of_stock'),
    );
  }
}

/** Payment failed → FAILED; nothing was reserved or captured. */
@Injectable()
@Consumes(PaymentFailed, 'commerce.fail-order-unpaid')
export class FailOrderUnpaid implements IntegrationEventConsumer<PaymentFailed> {
  constructor(private readonly orders: OrderTransitions) {}

  async consume(event: PaymentFailed, tx: Tx): Promise<void> {
    const reason = `payment_failed:${event.payload.reason}`;
    const moved = await this.orders.move(
      tx.manager,
      event.payload.orderId,
      'FAILED',
      reason,
      reason,
    );
    if (!moved.ok) return;
    await tx.publish(orderFailed(moved.order, reason, false));
  }
}
