import { IntegrationEvent } from '../envelope.js';

export interface OrderCancelledPayload {
  orderId: string;
  customerId: string;
  reason: string;
}

/** An order was cancelled (by the customer, or by compensation); captured money is refunded. */
export class OrderCancelled extends IntegrationEvent<OrderCancelledPayload> {
  static override readonly type = 'commerce.order-cancelled';
  static override readonly version = 1;
}
