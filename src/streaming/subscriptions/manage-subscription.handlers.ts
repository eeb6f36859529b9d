import {
  Command,
  CommandHandler,
  ICommandHandler,
  IQueryHandler,
  Query,
  QueryHandler,
} from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { decodeCursor, encodeCursor, type Page, type PageQuery, Transactions } from '@app/platform';
import { DataSource } from 'typeorm';
import { StreamingError } from '../streaming.error.js';
import { LIVE_STATUSES, type SubscriptionRow } from './subscription.entity.js';
import { SubscriptionClock } from './subscription-clock.js';
import { ownSubscription, subscriptionView, subscriptionViews } from './subscription-store.js';
import type { SubscriptionView, UpdateSubscriptionRequest } from './subscriptions.dto.js';

function refuseEnded(s: SubscriptionRow): void {
  if (!LIVE_STATUSES.includes(s.status))
    throw new StreamingError(
      'streaming.subscription_ended',
      `The subscription is ${s.status}: it can no longer be changed.`,
      { status: s.status },
    );
}

export class CancelSubscription extends Command<SubscriptionView> {
  constructor(
    readonly subscriberId: string,
    readonly id: string,
  ) {
    super();
  }
}

/**
 * Cancel at period end: the subscription stays ACTIVE (and entitled) until `currentPeriodEnd`,
 * then the renewal job ends it (CANCELED) without charging. A PAST_DUE one (its period is over,
 * a renewal is being retried) ends now and is not retried. Cancelling again answers the same.
 */
@CommandHandler(CancelSubscription)
export class CancelSubscriptionHandler implements ICommandHandler<CancelSubscription> {
  constructor(
    private readonly transactions: Transactions,
    private readonly clock: SubscriptionClock,
  ) {}

  execute({ subscriberId, id }: CancelSubscription): Promise<SubscriptionView> {
    return this.transactions.run(async (tx) => {
      const db = tx.manager;
      const s = await ownSubscription(db, subscriberId, id, true);
      if (s.status === 'CANCELED' || s.cancel_at_period_end) return subscriptionView(db, s);
      refuseEnded(s);
      const endNow = s.status === 'PAST_DUE';
      const [[row]] = (await db.query(
        `UPDATE streaming.subscriptions
            SET cancel_at_period_end = true, updated_at = now(),
                status = CASE WHEN $2 THEN 'CANCELED' ELSE status END,
                ended_at = CASE WHEN $2 THEN $3::timestamptz END
          WHERE id = $1 RETURNING *`,
        [s.id, endNow, this.clock.now()],
      )) as [SubscriptionRow[], number];
      if (endNow)
        await db.query(
          `UPDATE streaming.subscription_charges SET status = 'FAILED', next_attempt_at = NULL,
                  failure_reason = 'canceled', updated_at = now()
            WHERE subscription_id = $1 AND status = 'RETRY'`,
          [s.id],
        );
      return subscriptionView(db, row!);
    });
  }
}

export class UpdateSubscription extends Command<SubscriptionView> {
  constructor(
    readonly subscriberId: string,
    readonly id: string,
    readonly body: UpdateSubscriptionRequest,
  ) {
    super();
  }
}

/**
 * Changes the card the next charges use. A PAST_DUE subscription's renewal is retried with the
 * new card at the next renewal run (within STREAMING_SUBSCRIPTION_RENEWAL_EVERY_MS).
 */
@CommandHandler(UpdateSubscription)
export class UpdateSubscriptionHandler implements ICommandHandler<UpdateSubscription> {
  constructor(
    private readonly transactions: Transactions,
    private readonly clock: SubscriptionClock,
  ) {}

  execute({ subscriberId, id, body }: UpdateSubscription): Promise<SubscriptionView> {
    return this.transactions.run(async (tx) => {
      const db = tx.manager;
      const s = await ownSubscription(db, subscriberId, id, true);
      refuseEnded(s);
      if (body.cardToken === undefined) return subscriptionView(db, s);
      const [[row]] = (await db.query(
        `UPDATE streaming.subscriptions SET card_token = $2, updated_at = now() WHERE id = $1 RETURNING *`,
        [s.id, body.cardToken],
      )) as [SubscriptionRow[], number];
      await db.query(
        `UPDATE streaming.subscription_charges SET next_attempt_at = $2, updated_at = now()
          WHERE subscription_id = $1 AND status = 'RETRY'`,
        [s.id, this.clock.now()],
      );
      return subscriptionView(db, row!);
    });
  }
}

export class GetSubscription extends Query<SubscriptionView> {
  constructor(
    readonly subscriberId: string,
    readonly id: string,
  ) {
    super();
  }
}

@QueryHandler(GetSubscription)
export class GetSubscriptionHandler implements IQueryHandler<GetSubscription> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ subscriberId, id }: GetSubscription): Promise<SubscriptionView> {
    return subscriptionView(this.db, await ownSubscription(this.db, subscriberId, id));
  }
}

export class ListSubscriptions extends Query<Page<SubscriptionView>> {
  constructor(
    readonly subscriberId: string,
    readonly page: PageQuery,
  ) {
    super();
  }
}

/** The caller's subscriptions, newest first, cursor paged (every status). */
@QueryHandler(ListSubscriptions)
export class ListSubscriptionsHandler implements IQueryHandler<ListSubscriptions> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ subscriberId, page }: ListSubscriptions): Promise<Page<SubscriptionView>> {
    const after = decodeCursor<{ id: string }>(page.cursor, { id: 'uuid' });
    const rows = await this.db.query<SubscriptionRow[]>(
      `SELECT * FROM streaming.subscriptions
        WHERE subscriber_id = $1 AND ($2::uuid IS NULL OR id < $2)
        ORDER BY id DESC LIMIT $3`,
      [subscriberId, after?.id ?? null, page.limit + 1],
    );
    const items = rows.slice(0, page.limit);
    const last = items[items.length - 1];
    return {
      items: await subscriptionViews(this.db, items),
      nextCursor: rows.length > page.limit && last ? encodeCursor({ id: last.id }) : null,
    };
  }
}
