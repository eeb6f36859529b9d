import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { AppConfig } from '../config/app-config.js';

/** Every metric name starts with it (prom-client's process/GC defaults too), so the product's
 * series are told apart from other exporters' on a shared Prometheus. */
export const METRIC_PREFIX = 'five_';

/**
 * The process's Prometheus metrics. One registry per application instance (not prom-client's
 * global one) so several apps in one process — as in tests — never collide. Every series
 * carries `service` (AppConfig.serviceName: SERVICE_NAME or the hosted CONTEXTS) as a default
 * label.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'five_http_request_duration_seconds',
    help: 'HTTP request latency by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly eventsPublished = new Counter({
    name: 'five_events_published_total',
    help: 'Integration events dispatched by the outbox relay, by type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  readonly eventsConsumed = new Counter({
    name: 'five_events_consumed_total',
    help: 'Deliveries a consumer committed (duplicates excluded), by type and consumer',
    labelNames: ['type', 'consumer'] as const,
    registers: [this.registry],
  });

  readonly eventsDuplicate = new Counter({
    name: 'five_events_duplicate_total',
    help: 'Deliveries skipped because the inbox had already recorded them',
    labelNames: ['type', 'consumer'] as const,
    registers: [this.registry],
  });

  readonly eventsFailed = new Counter({
    name: 'five_events_failed_total',
    help: 'Deliveries whose consumer threw, by type, consumer and outcome (retry | parked)',
    labelNames: ['type', 'consumer', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly outboxLag = new Gauge({
    name: 'five_outbox_lag_seconds',
    help: 'Age of the oldest undispatched outbox event (0 when empty)',
    registers: [this.registry],
  });

  readonly relayLag = new Histogram({
    name: 'five_outbox_dispatch_lag_seconds',
    help: 'Time from outbox commit to dispatch',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30],
    registers: [this.registry],
  });

  readonly queueDepth = new Gauge({
    name: 'five_queue_depth',
    help: 'BullMQ jobs by queue and state',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
  });

  readonly sagaOutcomes = new Counter({
    name: 'five_saga_outcomes_total',
    help: 'Finished sagas by saga and outcome',
    labelNames: ['saga', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly afterCommitFailures = new Counter({
    name: 'five_after_commit_failures_total',
    help: 'Follow-ups registered with tx.afterCommit that threw or rejected (the work itself committed)',
    registers: [this.registry],
  });

  readonly pollerFailures = new Counter({
    name: 'five_poller_failures_total',
    help: 'Runs of a periodic task (Poller) that threw, by poller',
    labelNames: ['poller'] as const,
    registers: [this.registry],
  });

  // --- Operations: refreshed on scrape by PlatformMetrics -------------------------------------

  readonly info = new Gauge({
    name: 'five_app_info',
    help: 'Always 1; `contexts` lists the CONTEXTS this process hosts (`service`, on every series, names it)',
    labelNames: ['contexts'] as const,
    registers: [this.registry],
  });

  readonly inboxBacklog = new Gauge({
    name: 'five_inbox_backlog',
    help: 'Pending deliveries (not yet consumed, not parked) by consumer',
    labelNames: ['consumer'] as const,
    registers: [this.registry],
  });

  readonly inboxOldestPending = new Gauge({
    name: 'five_inbox_oldest_pending_seconds',
    help: 'Age of the oldest pending delivery by consumer',
    labelNames: ['consumer'] as const,
    registers: [this.registry],
  });

  readonly deliveriesParked = new Gauge({
    name: 'five_deliveries_parked',
    help: 'Parked deliveries (dead letters waiting for an operator) by consumer',
    labelNames: ['consumer'] as const,
    registers: [this.registry],
  });

  readonly outboxUndispatched = new Gauge({
    name: 'five_outbox_undispatched',
    help: 'Outbox rows committed but not yet dispatched by the relay',
    registers: [this.registry],
  });

  readonly pgPool = new Gauge({
    name: 'five_pg_pool_connections',
    help: 'PostgreSQL pool connections by state (total | idle | waiting: clients queued for one)',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  readonly eventLoopUtilization = new Gauge({
    name: 'five_event_loop_utilization_ratio',
    help: 'Share of time the event loop was busy since the previous scrape (0..1)',
    registers: [this.registry],
  });

  readonly jobDuration = new Histogram({
    name: 'five_job_duration_seconds',
    help: 'BullMQ job processing time by queue and outcome (completed | failed)',
    labelNames: ['queue', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly jobsCompleted = new Counter({
    name: 'five_jobs_completed_total',
    help: 'BullMQ jobs that completed, by queue',
    labelNames: ['queue'] as const,
    registers: [this.registry],
  });

  readonly jobsFailed = new Counter({
    name: 'five_jobs_failed_total',
    help: 'BullMQ job attempts that failed, by queue (retried or not)',
    labelNames: ['queue'] as const,
    registers: [this.registry],
  });

  readonly groupCommitBatch = new Histogram({
    name: 'five_group_commit_batch_size',
    help: 'Requests that shared one transaction (database/group-commit.ts), by batch name',
    labelNames: ['batch'] as const,
    buckets: [1, 2, 4, 8, 16, 32, 64],
    registers: [this.registry],
  });

  // Timed per query / command (observability/io-timing.ts): one observe each, low-cardinality labels.

  readonly pgQueryDuration = new Histogram({
    name: 'five_pg_query_duration_seconds',
    help: 'PostgreSQL query time through the TypeORM pool, by operation (SELECT | INSERT | UPDATE | DELETE | OTHER)',
    labelNames: ['operation'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly redisCommandDuration = new Histogram({
    name: 'five_redis_command_duration_seconds',
    help: 'Redis command latency on the platform and context clients (not BullMQ), by command name',
    labelNames: ['command'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
    registers: [this.registry],
  });

  // --- Business ----------------------------------------------------------------------------

  readonly orders = new Counter({
    name: 'five_orders_total',
    help: 'Orders that reached a final status, by outcome (confirmed | failed | cancelled) and failure reason ("" when none)',
    labelNames: ['outcome', 'reason'] as const,
    registers: [this.registry],
  });

  readonly orderConfirmLatency = new Histogram({
    name: 'five_order_confirm_latency_seconds',
    help: 'Time from order created to CONFIRMED',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  readonly paymentDeclines = new Counter({
    name: 'five_payment_declines_total',
    help: 'Card charges the processor or fraud rules declined, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly fraudVerdicts = new Counter({
    name: 'five_fraud_verdicts_total',
    help: 'Fraud rule verdicts by verdict',
    labelNames: ['verdict'] as const,
    registers: [this.registry],
  });

  readonly notifications = new Counter({
    name: 'five_notifications_total',
    help: 'Notification delivery attempts by channel and outcome (sent | retry | failed)',
    labelNames: ['channel', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly idempotentReplays = new Counter({
    name: 'five_idempotent_replays_total',
    help: 'Responses replayed for a repeated Idempotency-Key',
    registers: [this.registry],
  });

  readonly rateLimited = new Counter({
    name: 'five_rate_limited_requests_total',
    help: 'Requests answered 429 by the rate limiter',
    registers: [this.registry],
  });

  private readonly collectors: (() => Promise<void>)[] = [];

  constructor(config: AppConfig) {
    this.registry.setDefaultLabels({ service: config.serviceName });
    collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });
  }

  /** Registers a refresh that runs before each scrape (e.g. reading queue depths). */
  onScrape(fn: () => Promise<void>): void {
    this.collectors.push(fn);
  }

  async render(): Promise<string> {
    await Promise.allSettled(this.collectors.map((fn) => fn()));
    return this.registry.metrics();
  }
}
