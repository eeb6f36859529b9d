import { SubscriptionRequested } from '@app/contracts/streaming';
import type { DataSource, EntityManager } from 'typeorm';
import { StreamingError } from '../streaming.error.js';
import type { ChargeRow, SubscriptionRow } from './subscription.entity.js';
import { toSubscriptionView, type SubscriptionView } from './subscriptions.dto.js';

type Db = DataSource | EntityManager;

/** The caller's subscription (`FOR UPDATE` inside a transaction), or 404 — anyone else's too. */
export async function ownSubscription(
  db: Db,
  subscriberId: string,
  id: string,
  lock = false,
): Promise<SubscriptionRow> {
  const [row] = await db.query<SubscriptionRow[]>(
    `SELECT * FROM streaming.subscriptions WHERE id = $1 AND subscriber_id = $2${lock ? ' FOR UPDATE' : ''}`,
    [id, subscriberId],
  );
  if (!row)
    throw new StreamingError('streaming.subscription_not_found', `No subscription ${id} of yours.`);
  return row;
}

/** Subscriptions with their latest 12 charges, as the API shows them. */
export async function subscriptionViews(
  db: Db,
  rows: SubscriptionRow[],
): Promise<SubscriptionView[]> {
  if (rows.length === 0) return [];
  const charges = await db.query<ChargeRow[]>(
    `SELECT c.* FROM unnest($1::uuid[]) AS s(id)
       CROSS JOIN LATERAL (SELECT * FROM streaming.subscription_charges
                            WHERE subscription_id = s.id ORDER BY period_start DESC LIMIT 12) c`,
    [rows.map((r) => r.id)],
  );
  return rows.map((r) =>
    toSubscriptionView(
      r,
      charges.filter((c) => c.subscription_id === r.id),
    ),
  );
}

export async function subscriptionView(db: Db, row: SubscriptionRow): Promise<SubscriptionView> {
  const [view] = await subscriptionViews(db, [row]);
  return view!;
}

/** What payments is asked to charge for one period (`attempt` = the charge's request count). */
export function chargeRequest(s: SubscriptionRow, c: ChargeRow): SubscriptionRequested {
  return new SubscriptionRequested({
    chargeId: c.id,
    subscriptionId: s.id,
    customerId: s.subscriber_id,
    planId: s.plan_id,
    channelId: s.channel_id,
    amount: c.amount,
    currency: c.currency,
    cardToken: s.card_token,
    periodStart: new Date(c.period_start).toISOString(),
    periodEnd: new Date(c.period_end).toISOString(),
    attempt: c.attempts,
  });
}
