import { IntegrationEvent } from '../envelope.js';

export interface OrderLinePayload {
  productId: string;
  sku: string;
  name: string;
  quantity: number;
  /** Minor units. */
  unitPrice: number;
}

export interface OrderConfirmedPayload {
  orderId: string;
  customerId: string;
  total: number;
  currency: string;
  lines: OrderLinePayload[];
}

/** Paid, its reserved stock taken off the shelf: the order will ship (step 3 of the order saga). */
export class OrderConfirmed extends IntegrationEvent<OrderConfirmedPayload> {
  static override readonly type = 'commerce.order-confirmed';
  static override readonly version = 1;
}

export interface OrderFailedPayload {
  orderId: string;
  customerId: string;
  /** `payment_failed:<reason>`, `out_of_stock` (at checkout: nothing charged), `timeout`. */
  reason: string;
  /** Whether money had been captured (and is being refunded). */
  refundPending: boolean;
}

/** The order will not be fulfilled. */
export class OrderFailed extends IntegrationEvent<OrderFailedPayload> {
  static override readonly type = 'commerce.order-failed';
  static override readonly version = 1;
}
