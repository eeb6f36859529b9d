import { Injectable, Logger } from '@nestjs/common';
import { SubscriptionPaymentFailed, SubscriptionPaymentSucceeded } from '@app/contracts/payments';
import { Consumes, type IntegrationEventConsumer, type Tx } from '@app/platform';
import { StreamingConfig } from '../streaming.config.js';
import type { ChargeRow, SubscriptionRow } from './subscription.entity.js';
import { SubscriptionClock } from './subscription-clock.js';

const HOUR_MS = 3_600_000;

/**
 * The charge of this event's attempt, if it still awaits its answer (locked). A duplicate or a
 * late answer to an earlier attempt finds nothing and changes nothing.
 */
async function awaitedCharge(tx: Tx, chargeId: string, attempt: number) {
  const [charge] = await tx.manager.query<ChargeRow[]>(
    `SELECT * FROM streaming.subscription_charges
      WHERE id = $1 AND attempts = $2 AND status = 'PENDING' FOR UPDATE`,
    [chargeId, attempt],
  );
  return charge;
}

/**
 * payments.subscription-payment-succeeded → the charge is PAID and the subscription ACTIVE for
 * the charge's period (`current_period_end` = its start + 1 month), out of grace. A payment that
 * lands on a subscription that ended meanwhile (cancelled or lapsed while it was in flight)
 * still buys its period: ACTIVE until its end, and cancelled at that end.
 */
@Injectable()
@Consumes(SubscriptionPaymentSucceeded, 'streaming.subscription-paid')
export class SubscriptionPaid implements IntegrationEventConsumer<SubscriptionPaymentSucceeded> {
  private readonly logger = new Logger(SubscriptionPaid.name);

  async consume(event: SubscriptionPaymentSucceeded, tx: Tx): Promise<void> {
    const { chargeId, attempt, paymentId } = event.payload;
    const charge = await awaitedCharge(tx, chargeId, attempt);
    if (!charge) {
      this.logger.log({ chargeId, attempt }, 'subscription payment already applied; ignored');
      return;
    }
    await tx.manager.query(
      `UPDATE streaming.subscription_charges
          SET status = 'PAID', payment_id = $2, failure_reason = NULL, next_attempt_at = NULL, updated_at = now()
        WHERE id = $1`,
      [charge.id, paymentId],
    );
    await tx.manager.query(
      `UPDATE streaming.subscriptions
          SET status = 'ACTIVE', current_period_start = $2, current_period_end = $3, grace_until = NULL,
              failure_reason = NULL, ended_at = NULL,
              cancel_at_period_end = cancel_at_period_end OR status IN ('CANCELED', 'LAPSED'),
              updated_at = now()
        WHERE id = $1 AND (current_period_end IS NULL OR current_period_end < $3)`,
      [charge.subscription_id, charge.period_start, charge.period_end],
    );
  }
}

/**
 * payments.subscription-payment-failed →
 * - the first charge: the subscription is INCOMPLETE (never active; subscribe again);
 * - a renewal: PAST_DUE, entitled until `grace_until` (the period's end +
 *   STREAMING_SUBSCRIPTION_GRACE_HOURS), the charge retried every STREAMING_SUBSCRIPTION_RETRY_HOURS
 *   (the renewal job sends it) — until STREAMING_SUBSCRIPTION_RENEWAL_ATTEMPTS requests failed or
 *   the next retry would fall after the grace: then LAPSED.
 */
@Injectable()
@Consumes(SubscriptionPaymentFailed, 'streaming.subscription-payment-failed')
export class SubscriptionPaymentFailedConsumer implements IntegrationEventConsumer<SubscriptionPaymentFailed> {
  private readonly logger = new Logger(SubscriptionPaymentFailedConsumer.name);

  constructor(
    private readonly clock: SubscriptionClock,
    private readonly config: StreamingConfig,
  ) {}

  async consume(event: SubscriptionPaymentFailed, tx: Tx): Promise<void> {
    const { chargeId, attempt, reason } = event.payload;
    const charge = await awaitedCharge(tx, chargeId, attempt);
    if (!charge) {
      this.logger.log(
        { chargeId, attempt },
        'subscription payment failure already applied; ignored',
      );
      return;
    }
    const [sub] = await tx.manager.query<SubscriptionRow[]>(
      `SELECT * FROM streaming.subscriptions WHERE id = $1 FOR UPDATE`,
      [charge.subscription_id],
    );
    if (!sub) throw new Error(`charge ${charge.id} has no subscription ${charge.subscription_id}`);
    const now = this.clock.now();
    this.logger.warn(
      { subscriptionId: sub.id, chargeId, attempt, reason },
      'subscription charge failed',
    );
    if (sub.current_period_end === null) {
      await this.fail(tx, charge, reason);
      await tx.manager.query(
        `UPDATE streaming.subscriptions SET status = 'INCOMPLETE', failure_reason = $2, ended_at = $3, updated_at = now()
          WHERE id = $1 AND status = 'PENDING'`,
        [sub.id, reason, now],
      );
      return;
    }
    const graceUntil =
      sub.grace_until ??
      new Date(
        new Date(charge.period_start).getTime() +
          this.config.STREAMING_SUBSCRIPTION_GRACE_HOURS * HOUR_MS,
      );
    const nextAt = new Date(
      now.getTime() + this.config.STREAMING_SUBSCRIPTION_RETRY_HOURS * HOUR_MS,
    );
    const retry =
      charge.attempts < this.config.STREAMING_SUBSCRIPTION_RENEWAL_ATTEMPTS &&
      nextAt < new Date(graceUntil) &&
      (sub.status === 'ACTIVE' || sub.status === 'PAST_DUE') &&
      !sub.cancel_at_period_end;
    if (retry) {
      await tx.manager.query(
        `UPDATE streaming.subscription_charges
            SET status = 'RETRY', next_attempt_at = $2, failure_reason = $3, updated_at = now()
          WHERE id = $1`,
        [charge.id, nextAt, reason],
      );
      await tx.manager.query(
        `UPDATE streaming.subscriptions SET status = 'PAST_DUE', grace_until = $2, failure_reason = $3, updated_at = now()
          WHERE id = $1`,
        [sub.id, graceUntil, reason],
      );
      return;
    }
    await this.fail(tx, charge, reason);
    await tx.manager.query(
      `UPDATE streaming.subscriptions SET status = 'LAPSED', failure_reason = $2, ended_at = $3, updated_at = now()
        WHERE id = $1 AND status IN ('ACTIVE', 'PAST_DUE')`,
      [sub.id, reason, now],
    );
  }

  private async fail(tx: Tx, charge: ChargeRow, reason: string): Promise<void> {
    await tx.manager.query(
      `UPDATE streaming.subscription_charges
          SET status = 'FAILED', next_attempt_at = NULL, failure_reason = $2, updated_at = now()
        WHERE id = $1`,
      [charge.id, reason],
    );
  }
}
