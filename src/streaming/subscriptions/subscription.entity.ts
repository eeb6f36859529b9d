import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A monthly plan: of one channel (`channel_id` = the channel's user id), or a platform plan
 * (`channel_id` null) that entitles its subscribers to every channel's subscriber videos.
 */
@Entity({ schema: 'streaming', name: 'plans' })
@Check('plans_monthly_price_positive', 'monthly_price > 0')
@Index('plans_channel_idx', ['channelId', 'id'])
export class Plan {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'channel_id', nullable: true }) channelId: string | null;
  @Column('text') name: string;
  /** Minor units per month (`CHECK > 0` in the migration). */
  @Column('int', { name: 'monthly_price' }) monthlyPrice: number;
  @Column('text') currency: string;
  @Column('uuid', { name: 'created_by' }) createdBy: string;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
}

export interface PlanRow {
  id: string;
  channel_id: string | null;
  name: string;
  monthly_price: number;
  currency: string;
  created_by: string;
  created_at: Date;
}

export const SUBSCRIPTION_STATUSES = [
  'PENDING',
  'ACTIVE',
  'PAST_DUE',
  'INCOMPLETE',
  'CANCELED',
  'LAPSED',
] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];
/** The statuses of a subscription that is not over (at most one per subscriber and plan). */
export const LIVE_STATUSES: readonly SubscriptionStatus[] = ['PENDING', 'ACTIVE', 'PAST_DUE'];

/**
 * A viewer's subscription to a plan: `PENDING` (first charge requested) → `ACTIVE` (paid until
 * `current_period_end`) ⇄ `PAST_DUE` (a renewal failed: entitled until `grace_until`, retried)
 * → `LAPSED`; `INCOMPLETE` when the first charge fails; `CANCELED` at the end of the period in
 * which it was cancelled. The plan's price and channel are copied in when subscribing.
 */
@Entity({ schema: 'streaming', name: 'subscriptions' })
@Index('subscriptions_subscriber_idx', ['subscriberId', 'id'])
@Index('subscriptions_due_idx', ['currentPeriodEnd'], {
  where: `status IN ('ACTIVE', 'PAST_DUE')`,
})
@Index('subscriptions_live_key', ['subscriberId', 'planId'], {
  unique: true,
  where: `status IN ('PENDING', 'ACTIVE', 'PAST_DUE')`,
})
@Index('subscriptions_idempotency_key', ['subscriberId', 'idempotencyKey'], { unique: true })
export class Subscription {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'plan_id' }) planId: string;
  @Column('uuid', { name: 'subscriber_id' }) subscriberId: string;
  @Column('uuid', { name: 'channel_id', nullable: true }) channelId: string | null;
  @Column('text') status: SubscriptionStatus;
  @Column('int') amount: number;
  @Column('text') currency: string;
  @Column('text', { name: 'card_token' }) cardToken: string;
  @Column('text', { name: 'idempotency_key', nullable: true }) idempotencyKey: string | null;
  @Column('timestamptz', { name: 'current_period_start', nullable: true })
  currentPeriodStart: Date | null;
  @Column('timestamptz', { name: 'current_period_end', nullable: true })
  currentPeriodEnd: Date | null;
  @Column('boolean', { name: 'cancel_at_period_end', default: false }) cancelAtPeriodEnd: boolean;
  /** Set when a renewal first fails: the subscriber stays entitled until then. */
  @Column('timestamptz', { name: 'grace_until', nullable: true }) graceUntil: Date | null;
  @Column('timestamptz', { name: 'ended_at', nullable: true }) endedAt: Date | null;
  @Column('text', { name: 'failure_reason', nullable: true }) failureReason: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
}

export interface SubscriptionRow {
  id: string;
  plan_id: string;
  subscriber_id: string;
  channel_id: string | null;
  status: SubscriptionStatus;
  amount: number;
  currency: string;
  card_token: string;
  idempotency_key: string | null;
  current_period_start: Date | null;
  current_period_end: Date | null;
  cancel_at_period_end: boolean;
  grace_until: Date | null;
  ended_at: Date | null;
  failure_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

/** `PENDING` (asked of payments) → `PAID` | `RETRY` (a renewal failed, asked again later) | `FAILED`. */
export type ChargeStatus = 'PENDING' | 'PAID' | 'RETRY' | 'FAILED';

/**
 * One period's charge of a subscription. Unique per (subscription, period start): whoever
 * inserts it asks payments to charge it, so each period is charged once however many renewal
 * jobs run. `attempts` counts the requests (a failed renewal is retried on the same row).
 */
@Entity({ schema: 'streaming', name: 'subscription_charges' })
@Index('subscription_charges_period_key', ['subscriptionId', 'periodStart'], { unique: true })
@Index('subscription_charges_retry_idx', ['nextAttemptAt'], { where: `status = 'RETRY'` })
export class SubscriptionCharge {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'subscription_id' }) subscriptionId: string;
  @Column('timestamptz', { name: 'period_start' }) periodStart: Date;
  @Column('timestamptz', { name: 'period_end' }) periodEnd: Date;
  @Column('int') amount: number;
  @Column('text') currency: string;
  @Column('text') status: ChargeStatus;
  @Column('int', { default: 1 }) attempts: number;
  @Column('timestamptz', { name: 'next_attempt_at', nullable: true }) nextAttemptAt: Date | null;
  /** Payments' id of the payment that paid it. */
  @Column('uuid', { name: 'payment_id', nullable: true }) paymentId: string | null;
  @Column('text', { name: 'failure_reason', nullable: true }) failureReason: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
}

export interface ChargeRow {
  id: string;
  subscription_id: string;
  period_start: Date;
  period_end: Date;
  amount: number;
  currency: string;
  status: ChargeStatus;
  attempts: number;
  next_attempt_at: Date | null;
  payment_id: string | null;
  failure_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

/** Subscriptions' entities, for the context descriptor. */
export const SUBSCRIPTION_ENTITIES = [Plan, Subscription, SubscriptionCharge];
