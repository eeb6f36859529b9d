/**
 * The outside world's card network, as the payments context sees it. Two adapters: the
 * deterministic sandbox (default) and an HTTP client for a real processor.
 *
 * Every money-moving call carries an idempotency key (the saga step's id), so retrying a call
 * whose answer was lost can never charge twice, and `status` can tell what happened.
 */
export interface CardDetails {
  number: string;
  expMonth: number;
  expYear: number;
  holderName: string;
  /** Present only for the first authorisation (card verification); never stored. */
  cvc?: string;
}

export type DeclineReason =
  'card_declined' | 'insufficient_funds' | 'fraudulent' | 'processing_error' | 'incorrect_cvc';

export type ChargeResult =
  { status: 'succeeded'; chargeId: string } | { status: 'declined'; reason: DeclineReason };

export type RefundResult =
  | { status: 'succeeded'; refundId: string }
  | { status: 'rejected'; reason: 'exceeds_captured' | 'charge_not_found' };

export type ChargeStatus =
  | { state: 'succeeded'; chargeId: string; amount: number; refunded: number }
  | { state: 'declined'; reason: DeclineReason }
  | { state: 'not_found' };

/** The call's outcome is unknown (timeout, connection reset after sending): ask `status`. */
export class ProcessorTimeout extends Error {
  override readonly name = 'ProcessorTimeout';
}

export abstract class PaymentProcessor {
  /** Zero-amount authorisation with the CVC, when a card is vaulted. */
  abstract verify(card: CardDetails): Promise<{ ok: true } | { ok: false; reason: DeclineReason }>;
  abstract charge(req: {
    idempotencyKey: string;
    amount: number;
    currency: string;
    card: CardDetails;
  }): Promise<ChargeResult>;
  abstract refund(req: {
    idempotencyKey: string;
    chargeId: string;
    amount: number;
  }): Promise<RefundResult>;
  /** What became of the charge made with this idempotency key. */
  abstract status(idempotencyKey: string): Promise<ChargeStatus>;
}
