import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Transactions } from '@app/platform';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { StreamingConfig } from '../streaming.config.js';
import type { ChargeRow, SubscriptionRow } from './subscription.entity.js';
import { SubscriptionClock } from './subscription-clock.js';
import { chargeRequest } from './subscription-store.js';

/** What one renewal run did. */
export interface RenewalRun {
  renewed: number;
  retried: number;
  canceled: number;
  lapsed: number;
}

/** Subscriptions (or charges) one run handles per step, at most; the next run takes the rest. */
const BATCH = 500;

/**
 * The renewal job's work (`streaming.subscription-renewal`, every
 * STREAMING_SUBSCRIPTION_RENEWAL_EVERY_MS; also callable directly with a `now`):
 * 1. cancelled subscriptions whose period ended → CANCELED, no charge;
 * 2. ACTIVE subscriptions whose period ends within STREAMING_SUBSCRIPTION_RENEWAL_LEAD_MINUTES →
 *    the next period's charge, inserted `ON CONFLICT (subscription_id, period_start) DO NOTHING`;
 *    only the run whose insert happened publishes `streaming.subscription-requested`, in the
 *    same transaction — so a period is charged once however many runs overlap;
 * 3. failed renewals whose retry is due → asked again (a conditional update: one run wins);
 * 4. PAST_DUE subscriptions past their grace with no charge in flight → LAPSED.
 */
@Injectable()
export class SubscriptionRenewals {
  private readonly logger = new Logger(SubscriptionRenewals.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly transactions: Transactions,
    private readonly clock: SubscriptionClock,
    private readonly config: StreamingConfig,
  ) {}

  async run(now: Date = this.clock.now()): Promise<RenewalRun> {
    const canceled = await this.endCanceled(now);
    const renewed = await this.renew(now);
    const retried = await this.retry(now);
    const lapsed = await this.lapse(now);
    const run = { renewed, retried, canceled, lapsed };
    if (renewed + retried + canceled + lapsed > 0) this.logger.log(run, 'subscription renewals');
    return run;
  }

  private async endCanceled(now: Date): Promise<number> {
    return this.transactions.run(async (tx) => {
      const [ended] = (await tx.manager.query(
        `UPDATE streaming.subscriptions SET status = 'CANCELED', ended_at = $1, updated_at = now()
          WHERE status IN ('ACTIVE', 'PAST_DUE') AND cancel_at_period_end AND current_period_end <= $1
          RETURNING id`,
        [now],
      )) as [{ id: string }[], number];
      if (ended.length)
        await tx.manager.query(
          `UPDATE streaming.subscription_charges SET status = 'FAILED', next_attempt_at = NULL,
                  failure_reason = 'canceled', updated_at = now()
            WHERE subscription_id = ANY($1::uuid[]) AND status = 'RETRY'`,
          [ended.map((e) => e.id)],
        );
      return ended.length;
    });
  }

  private async renew(now: Date): Promise<number> {
    const due = await this.db.query<{ id: string }[]>(
      `SELECT id FROM streaming.subscriptions
        WHERE status = 'ACTIVE' AND NOT cancel_at_period_end
          AND current_period_end <= $1::timestamptz + make_interval(mins => $2)
        ORDER BY current_period_end LIMIT $3`,
      [now, this.config.STREAMING_SUBSCRIPTION_RENEWAL_LEAD_MINUTES, BATCH],
    );
    let renewed = 0;
    for (const { id } of due) if (await this.renewOne(id, now)) renewed++;
    return renewed;
  }

  private renewOne(id: string, now: Date): Promise<boolean> {
    return this.transactions.run(async (tx) => {
      // Locked and checked again: a cancel that committed meanwhile wins over the renewal.
      const [sub] = await tx.manager.query<SubscriptionRow[]>(
        `SELECT * FROM streaming.subscriptions
          WHERE id = $1 AND status = 'ACTIVE' AND NOT cancel_at_period_end
            AND current_period_end <= $2::timestamptz + make_interval(mins => $3)
          FOR UPDATE`,
        [id, now, this.config.STREAMING_SUBSCRIPTION_RENEWAL_LEAD_MINUTES],
      );
      if (!sub) return false;
      const [charge] = await tx.manager.query<ChargeRow[]>(
        `INSERT INTO streaming.subscription_charges (id, subscription_id, period_start, period_end, amount, currency, status)
         VALUES ($1, $2, $3::timestamptz, $3::timestamptz + interval '1 month', $4, $5, 'PENDING')
         ON CONFLICT (subscription_id, period_start) DO NOTHING
         RETURNING *`,
        [uuidv7(), sub.id, sub.current_period_end, sub.amount, sub.currency],
      );
      if (!charge) return false;
      await tx.publish(chargeRequest(sub, charge));
      return true;
    });
  }

  private async retry(now: Date): Promise<number> {
    const due = await this.db.query<{ id: string }[]>(
      `SELECT c.id FROM streaming.subscription_charges c
         JOIN streaming.subscriptions s ON s.id = c.subscription_id
        WHERE c.status = 'RETRY' AND c.next_attempt_at <= $1
          AND s.status = 'PAST_DUE' AND NOT s.cancel_at_period_end
        ORDER BY c.next_attempt_at LIMIT $2`,
      [now, BATCH],
    );
    let retried = 0;
    for (const { id } of due) {
      const sent = await this.transactions.run(async (tx) => {
        const [charge] = (await tx.manager.query(
          `UPDATE streaming.subscription_charges
              SET status = 'PENDING', attempts = attempts + 1, next_attempt_at = NULL, updated_at = now()
            WHERE id = $1 AND status = 'RETRY' RETURNING *`,
          [id],
        )) as [ChargeRow[], number];
        const row = charge[0];
        if (!row) return false;
        const [sub] = await tx.manager.query<SubscriptionRow[]>(
          `SELECT * FROM streaming.subscriptions WHERE id = $1`,
          [row.subscription_id],
        );
        await tx.publish(chargeRequest(sub!, row));
        return true;
      });
      if (sent) retried++;
    }
    return retried;
  }

  private lapse(now: Date): Promise<number> {
    return this.transactions.run(async (tx) => {
      const [lapsed] = (await tx.manager.query(
        `UPDATE streaming.subscriptions s SET status = 'LAPSED', ended_at = $1, updated_at = now()
          WHERE s.status = 'PAST_DUE' AND s.grace_until <= $1
            AND NOT EXISTS (SELECT 1 FROM streaming.subscription_charges c
                             WHERE c.subscription_id = s.id AND c.status = 'PENDING')
          RETURNING id`,
        [now],
      )) as [{ id: string }[], number];
      if (lapsed.length)
        await tx.manager.query(
          `UPDATE streaming.subscription_charges SET status = 'FAILED', next_attempt_at = NULL, updated_at = now()
            WHERE subscription_id = ANY($1::uuid[]) AND status = 'RETRY'`,
          [lapsed.map((e) => e.id)],
        );
      return lapsed.length;
    });
  }
}
