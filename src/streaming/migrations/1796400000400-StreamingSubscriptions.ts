import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Subscriptions: plans (per channel, or platform-wide), subscriptions and one charge row per
 * (subscription, period) — the unique key that makes each period charged once.
 */
export class StreamingSubscriptions1796400000400 implements MigrationInterface {
  name = 'StreamingSubscriptions1796400000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "streaming"."plans" ("id" uuid NOT NULL, "channel_id" uuid, "name" text NOT NULL, "monthly_price" integer NOT NULL, "currency" text NOT NULL, "created_by" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "plans_monthly_price_positive" CHECK (monthly_price > 0), CONSTRAINT "PK_streaming_plans" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "plans_channel_idx" ON "streaming"."plans" ("channel_id", "id") `);
    await q.query(
      `CREATE TABLE "streaming"."subscriptions" ("id" uuid NOT NULL, "plan_id" uuid NOT NULL, "subscriber_id" uuid NOT NULL, "channel_id" uuid, "status" text NOT NULL, "amount" integer NOT NULL, "currency" text NOT NULL, "card_token" text NOT NULL, "idempotency_key" text, "current_period_start" TIMESTAMP WITH TIME ZONE, "current_period_end" TIMESTAMP WITH TIME ZONE, "cancel_at_period_end" boolean NOT NULL DEFAULT false, "grace_until" TIMESTAMP WITH TIME ZONE, "ended_at" TIMESTAMP WITH TIME ZONE, "failure_reason" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_streaming_subscriptions" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE INDEX "subscriptions_subscriber_idx" ON "streaming"."subscriptions" ("subscriber_id", "id") `,
    );
    await q.query(
      `CREATE INDEX "subscriptions_due_idx" ON "streaming"."subscriptions" ("current_period_end") WHERE status IN ('ACTIVE', 'PAST_DUE')`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "subscriptions_live_key" ON "streaming"."subscriptions" ("subscriber_id", "plan_id") WHERE status IN ('PENDING', 'ACTIVE', 'PAST_DUE')`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "subscriptions_idempotency_key" ON "streaming"."subscriptions" ("subscriber_id", "idempotency_key") `,
    );
    await q.query(
      `CREATE TABLE "streaming"."subscription_charges" ("id" uuid NOT NULL, "subscription_id" uuid NOT NULL, "period_start" TIMESTAMP WITH TIME ZONE NOT NULL, "period_end" TIMESTAMP WITH TIME ZONE NOT NULL, "amount" integer NOT NULL, "currency" text NOT NULL, "status" text NOT NULL, "attempts" integer NOT NULL DEFAULT '1', "next_attempt_at" TIMESTAMP WITH TIME ZONE, "payment_id" uuid, "failure_reason" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_streaming_subscription_charges" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "subscription_charges_period_key" ON "streaming"."subscription_charges" ("subscription_id", "period_start") `,
    );
    await q.query(
      `CREATE INDEX "subscription_charges_retry_idx" ON "streaming"."subscription_charges" ("next_attempt_at") WHERE status = 'RETRY'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "streaming"."subscription_charges"`);
    await q.query(`DROP TABLE "streaming"."subscriptions"`);
    await q.query(`DROP TABLE "streaming"."plans"`);
  }
}
