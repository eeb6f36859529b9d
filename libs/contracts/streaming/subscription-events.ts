import { IntegrationEvent } from '../envelope.js';

export interface SubscriptionRequestedPayload {
  /** Streaming's charge row: one per (subscription, period); payments charges it once per attempt. */
  chargeId: string;
  subscriptionId: string;
  /** The subscriber (payments' card owner). */
  customerId: string;
  planId: string;
  /** The plan's channel, or null for a platform plan. */
  channelId: string | null;
  /** Minor units. */
  amount: number;
  /** ISO 4217. */
  currency: string;
  /** A vaulted card token of the subscriber's (never a card number). */
  cardToken: string;
  /** The period this charge pays for, ISO-8601 UTC, `[start, end)`. */
  periodStart: string;
  periodEnd: string;
  /** 1 for the first try; a retry of a failed renewal asks again with the next number. */
  attempt: number;
}

/**
 * Streaming asks payments to charge one period of a subscription (the first period when the
 * viewer subscribes, then each renewal and each retry of a failed renewal). Payments answers
 * with `payments.subscription-payment-succeeded` or `-failed`, carrying `chargeId` and `attempt`.
 */
export class SubscriptionRequested extends IntegrationEvent<SubscriptionRequestedPayload> {
  static override readonly type = 'streaming.subscription-requested';
  static override readonly version = 1;
}
