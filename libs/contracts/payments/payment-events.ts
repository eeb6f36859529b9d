import { IntegrationEvent } from '../envelope.js';

export interface PaymentSucceededPayload {
  orderId: string;
  customerId: string;
  paymentId: string;
  amount: number;
  currency: string;
}

/** The order's amount was captured (step 2 of the order saga). */
export class PaymentSucceeded extends IntegrationEvent<PaymentSucceededPayload> {
  static override readonly type = 'payments.payment-succeeded';
  static override readonly version = 1;
}

export interface PaymentFailedPayload {
  orderId: string;
  customerId: string;
  paymentId: string;
  /** Stable reason code, e.g. `card_declined`, `insufficient_funds`, `fraud_denied`, `card_not_found`. */
  reason: string;
}

export class PaymentFailed extends IntegrationEvent<PaymentFailedPayload> {
  static override readonly type = 'payments.payment-failed';
  static override readonly version = 1;
}

export interface PaymentRefundedPayload {
  orderId: string;
  customerId: string;
  paymentId: string;
  amount: number;
  currency: string;
}

/** Captured money went back to the customer (order saga compensation). */
export class PaymentRefunded extends IntegrationEvent<PaymentRefundedPayload> {
  static override readonly type = 'payments.payment-refunded';
  static override readonly version = 1;
}
