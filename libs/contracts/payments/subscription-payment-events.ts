import { IntegrationEvent } from '../envelope.js';

export interface SubscriptionPaymentSucceededPayload {
  /** The `chargeId` of `streaming.subscription-requested`. */
  chargeId: string;
  subscriptionId: string;
  customerId: string;
  /** Payments' own id for the payment (its saga). */
  paymentId: string;
  amount: number;
  currency: string;
  attempt: number;
}

/** One period of a streaming subscription was charged and posted to the ledger. */
export class SubscriptionPaymentSucceeded extends IntegrationEvent<SubscriptionPaymentSucceededPayload> {
  static override readonly type = 'payments.subscription-payment-succeeded';
  static override readonly version = 1;
}

export interface SubscriptionPaymentFailedPayload {
  chargeId: string;
  subscriptionId: string;
  customerId: string;
  paymentId: string;
  /** Stable reason code, e.g. `card_declined`, `insufficient_funds`, `fraud_denied`, `card_not_found`. */
  reason: string;
  attempt: number;
}

/** A subscription period's charge failed; nothing was taken. */
export class SubscriptionPaymentFailed extends IntegrationEvent<SubscriptionPaymentFailedPayload> {
  static override readonly type = 'payments.subscription-payment-failed';
  static override readonly version = 1;
}
