import { Injectable } from '@nestjs/common';
import { PaymentFailed, PaymentSucceeded } from '@app/contracts/payments';
import { Consumes, type IntegrationEventConsumer, type Tx } from '@app/platform';
import { Inventory } from '../inventory/inventory.js';
import { orderCancelled, orderConfirmed, orderFailed } from './order-events.js';
import { OrderTransitions } from './order-transitions.js';

/*
 * The order saga, choreographed; stock is reserved before any money moves:
 *   1. checkout reserves the stock → order PENDING → commerce.order-created   (PlaceOrderHandler)
 *      (no stock → FAILED `out_of_stock` there and then: payments never hears of the order)
 *   2. payments charges → payments.payment-succeeded | payment-failed
 *   3. paid → PAID → the reserved units leave the shelf → CONFIRMED → commerce.order-confirmed
 *      (notifications emails it)
 * Compensation: payment-failed → FAILED, the reservation is released; a stalled order times out
 * (OrderTimeouts: released, and order-cancelled refunds whatever was captured).
 * Every step is a state-machine move: a duplicate or late event finds the order already moved
 * and does nothing.
 */

/** Step 3: paid → PAID → CONFIRMED; the units reserved at checkout leave the shelf. */
@Injectable()
@Consumes(PaymentSucceeded, 'commerce.confirm-order')
export class ConfirmOrder implements IntegrationEventConsumer<PaymentSucceeded> {
  constructor(
    private readonly orders: OrderTransitions,
    private readonly inventory: Inventory,
  ) {}

  async consume(event: PaymentSucceeded, tx: Tx): Promise<void> {
    const paid = await this.orders.move(
      tx.manager,
      event.payload.orderId,
      'PAID',
      `payment ${event.payload.paymentId}`,
    );
    if (!paid.ok) return; // duplicate, or the order timed out (its cancellation refunds the payment)
    const o = paid.order;
    // Reserved at checkout, so this finds the reservation; only an order placed before
    // checkout reserved stock can still miss it, and is refunded like a timed-out one.
    const held = await this.inventory.reserve(tx.manager, o.id, o.lines);
    if (!held.ok) {
      const failed = await this.orders.move(
        tx.manager,
        o.id,
        'FAILED',
        `out of stock: ${held.skus.join(', ')}`,
        'out_of_stock',
      );
      if (failed.ok)
        await tx.publish(
          orderFailed(failed.order, 'out_of_stock', true),
          orderCancelled(failed.order, 'out_of_stock'),
        );
      return;
    }
    const confirmed = await this.orders.move(tx.manager, o.id, 'CONFIRMED', 'stock committed');
    if (!confirmed.ok) return;
    await this.inventory.commit(tx.manager, o.id, o.lines);
    await tx.publish(orderConfirmed(confirmed.order));
  }
}

/** Payment failed → FAILED; the reservation goes back on the shelf, nothing was captured. */
@Injectable()
@Consumes(PaymentFailed, 'commerce.fail-order-unpaid')
export class FailOrderUnpaid implements IntegrationEventConsumer<PaymentFailed> {
  constructor(
    private readonly orders: OrderTransitions,
    private readonly inventory: Inventory,
  ) {}

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
    await this.inventory.release(tx.manager, moved.order.id, moved.order.lines);
    await tx.publish(orderFailed(moved.order, reason, false));
  }
}
