import {
  OrderCancelled,
  OrderConfirmed,
  OrderCreated,
  OrderFailed,
  type OrderLinePayload,
} from '@app/contracts/commerce';
import type { Order, OrderLine } from './order.entity.js';

/*
 * The published order events, each built from the order with whitelisted fields (a stored
 * jsonb line never goes out as it is).
 */

function linePayload(l: OrderLine): OrderLinePayload {
  return {
    productId: l.productId,
    sku: l.sku,
    name: l.name,
    quantity: l.quantity,
    unitPrice: l.unitPrice,
  };
}

/** Step 1: placed, awaiting payment. */
export function orderCreated(o: Order): OrderCreated {
  return new OrderCreated({
    orderId: o.id,
    customerId: o.customerId,
    amount: Number(o.total),
    currency: o.currency.trim(),
    cardToken: o.cardToken,
  });
}

/** Step 4: paid and stock held. */
export function orderConfirmed(o: Order): OrderConfirmed {
  return new OrderConfirmed({
    orderId: o.id,
    customerId: o.customerId,
    total: Number(o.total),
    currency: o.currency.trim(),
    lines: o.lines.map(linePayload),
  });
}

export function orderFailed(o: Order, reason: string, refundPending: boolean): OrderFailed {
  return new OrderFailed({ orderId: o.id, customerId: o.customerId, reason, refundPending });
}

export function orderCancelled(o: Order, reason: string): OrderCancelled {
  return new OrderCancelled({ orderId: o.id, customerId: o.customerId, reason });
}
