import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { isUniqueViolation, Transactions } from '@app/platform';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { StreamingError } from '../streaming.error.js';
import { findPlan } from './plans.handlers.js';
import type { ChargeRow, SubscriptionRow } from './subscription.entity.js';
import { SubscriptionClock } from './subscription-clock.js';
import { chargeRequest, subscriptionView } from './subscription-store.js';
import type { SubscribeRequest, SubscriptionView } from './subscriptions.dto.js';

export class Subscribe extends Command<SubscriptionView> {
  constructor(
    readonly subscriberId: string,
    readonly body: SubscribeRequest,
    readonly idempotencyKey: string,
  ) {
    super();
  }
}

/**
 * Subscribes the caller to a plan: in one transaction the subscription (PENDING, the plan's
 * price and channel copied in), its first period's charge (`[now, now + 1 month)`) and
 * `streaming.subscription-requested` through the outbox. Payments answers; the subscription
 * becomes ACTIVE (or INCOMPLETE) when it does. The same Idempotency-Key answers the same
 * subscription, even after the idempotency cache expired; a second live subscription to the
 * same plan is 409 `streaming.already_subscribed`.
 */
@CommandHandler(Subscribe)
export class SubscribeHandler implements ICommandHandler<Subscribe> {
  constructor(
    private readonly transactions: Transactions,
    private readonly clock: SubscriptionClock,
  ) {}

  async execute({ subscriberId, body, idempotencyKey }: Subscribe): Promise<SubscriptionView> {
    try {
      return await this.transactions.run(async (tx) => {
        const db = tx.manager;
        const [replay] = await db.query<SubscriptionRow[]>(
          `SELECT * FROM streaming.subscriptions WHERE subscriber_id = $1 AND idempotency_key = $2`,
          [subscriberId, idempotencyKey],
        );
        if (replay) return subscriptionView(db, replay);
        const plan = await findPlan(db, body.planId);
        await this.refuseLive(db, subscriberId, plan.id);
        const now = this.clock.now();
        const [sub] = await db.query<SubscriptionRow[]>(
          `INSERT INTO streaming.subscriptions (id, plan_id, subscriber_id, channel_id, status, amount, currency,
                                                card_token, idempotency_key)
           VALUES ($1, $2, $3, $4, 'PENDING', $5, $6, $7, $8) RETURNING *`,
          [
            uuidv7(),
            plan.id,
            subscriberId,
            plan.channel_id,
            plan.monthly_price,
            plan.currency.trim(),
            body.cardToken,
            idempotencyKey,
          ],
        );
        const [charge] = await db.query<ChargeRow[]>(
          `INSERT INTO streaming.subscription_charges (id, subscription_id, period_start, period_end, amount, currency, status)
           VALUES ($1, $2, $3::timestamptz, $3::timestamptz + interval '1 month', $4, $5, 'PENDING') RETURNING *`,
          [uuidv7(), sub!.id, now, sub!.amount, sub!.currency],
        );
        await tx.publish(chargeRequest(sub!, charge!));
        return subscriptionView(db, sub!);
      });
    } catch (err) {
      // Two subscribe requests raced past refuseLive: the partial unique index decided.
      if (isUniqueViolation(err, 'subscriptions_live_key'))
        throw new StreamingError(
          'streaming.already_subscribed',
          'You already have a live subscription to this plan.',
        );
      throw err;
    }
  }

  private async refuseLive(db: EntityManager, subscriberId: string, planId: string): Promise<void> {
    const [live] = await db.query<{ id: string }[]>(
      `SELECT id FROM streaming.subscriptions
        WHERE subscriber_id = $1 AND plan_id = $2 AND status IN ('PENDING', 'ACTIVE', 'PAST_DUE')`,
      [subscriberId, planId],
    );
    if (live)
      throw new StreamingError(
        'streaming.already_subscribed',
        'You already have a live subscription to this plan.',
        { subscriptionId: live.id },
      );
  }
}
