import { IntegrationEvent } from '../envelope.js';

export interface OrderCreatedPayload {
  orderId: string;
  customerId: string;
  /** Total in minor units. */
  amount: number;
  /** ISO 4217. */
  currency: string;
  /** A vaulted card token (never a card number). */
  cardToken: string;
}

/**
 * An order was placed with its stock reserved, and awaits payment (step 1 of the order saga).
 * An order without the stock fails at checkout and is never published.
 */
export class OrderCreated extends IntegrationEvent<OrderCreatedPayload> {
  static override readonly type = 'commerce.order-created';
  static override readonly version = 1;
}
