import { IntegrationEvent } from '../envelope.js';

export interface InvoicePaymentSucceededPayload {
  tenantId: string;
  invoiceId: string;
  customerId: string;
  /** Payments' own id for the payment (its saga). */
  paymentId: string;
  amount: number;
  currency: string;
  attempt: number;
}

/** A saas invoice was charged and posted to the ledger. */
export class InvoicePaymentSucceeded extends IntegrationEvent<InvoicePaymentSucceededPayload> {
  static override readonly type = 'payments.invoice-payment-succeeded';
  static override readonly version = 1;
}

export interface InvoicePaymentFailedPayload {
  tenantId: string;
  invoiceId: string;
  customerId: string;
  paymentId: string;
  /** Stable reason code, e.g. `card_declined`, `fraud_denied`, `card_not_found`. */
  reason: string;
  attempt: number;
}

/** A saas invoice's charge failed; nothing was taken. */
export class InvoicePaymentFailed extends IntegrationEvent<InvoicePaymentFailedPayload> {
  static override readonly type = 'payments.invoice-payment-failed';
  static override readonly version = 1;
}
