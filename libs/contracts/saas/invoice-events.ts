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
