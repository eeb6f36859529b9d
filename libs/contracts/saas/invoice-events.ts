import { IntegrationEvent } from '../envelope.js';

export interface InvoiceFinalizedPayload {
  tenantId: string;
  invoiceId: string;
  number: string;
  /** ISO-8601 UTC, `[start, end)`. */
  periodStart: string;
  periodEnd: string;
  /** Minor units; 0 for an invoice with nothing to pay (it is paid at once). */
  amount: number;
  /** ISO 4217. */
  currency: string;
  /** The tenant's owner (the card's owner in payments). */
  customerId: string;
  /** The vaulted card to charge (a token, never a card number), or null when none is on file. */
  cardToken: string | null;
}

/**
 * An invoice became final (its grace period for late usage ended): its amount will not change.
 * Payments charges it; billing listens for the outcome.
 */
export class InvoiceFinalized extends IntegrationEvent<InvoiceFinalizedPayload> {
  static override readonly type = 'saas.invoice-finalized';
  static override readonly version = 1;
}

export interface InvoiceChargeRequestedPayload {
  tenantId: string;
  invoiceId: string;
  /** Minor units, above 0. */
  amount: number;
  /** ISO 4217. */
  currency: string;
  /** The tenant's owner: payments charges only this user's cards. */
  customerId: string;
  /** The vaulted card to charge (a token, never a card number). */
  cardToken: string;
  /** 1 when the invoice is finalized; each dunning retry asks again with the next number. */
  attempt: number;
}

/**
 * Billing asks payments to charge a final invoice (and again on each dunning retry). Payments
 * answers `payments.invoice-payment-succeeded` or `-failed` with `invoiceId` and `attempt`.
 */
export class InvoiceChargeRequested extends IntegrationEvent<InvoiceChargeRequestedPayload> {
  static override readonly type = 'saas.invoice-charge-requested';
  static override readonly version = 1;
}
