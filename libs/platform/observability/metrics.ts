import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The process's Prometheus metrics. One registry per application instance (not prom-client's
 * global one) so several apps in one process — as in tests — never collide.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly eventsPublished = new Counter({
    name: 'events_published_total',
    help: 'Integration events dispatched by the outbox relay, by type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  readonly eventsConsumed = new Counter({
    name: 'events_consumed_total',
    help: 'Deliveries a consumer committed (duplicates excluded), by type and consumer',
    labelNames: ['type', 'consumer'] as const,
    registers: [this.registry],
  });

  readonly eventsDuplicate = new Counter({
    name: 'events_duplicate_total',
    help: 'Deliveries skipped because the inbox had already recorded them',
    labelNames: ['type', 'consumer'] as const,
    registers: [this.registry],
  });

  readonly eventsFailed = new Counter({
    name: 'events_failed_total',
    help: 'Deliveries whose consumer threw, by type, consumer and outcome (retry | parked)',
    labelNames: ['type', 'consumer', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly outboxLag = new Gauge({
    name: 'outbox_lag_seconds',
    help: 'Age of the oldest undispatched outbox event (0 when empty)',
    registers: [this.registry],
  });

  readonly relayLag = new Histogram({
    name: 'outbox_dispatch_lag_seconds',
    help: 'Time from outbox commit to dispatch',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30],
    registers: [this.registry],
  });

  readonly queueDepth = new Gauge({
    name: 'queue_depth',
    help: 'BullMQ jobs by queue and state',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
  });

  readonly sagaOutcomes = new Counter({
    name: 'saga_outcomes_total',
    help: 'Finished sagas by saga and outcome',
    labelNames: ['saga', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly afterCommitFailures = new Counter({
    name: 'after_commit_failures_total',
    help: 'Follow-ups registered with tx.afterCommit that threw or rejected (the work itself committed)',
    registers: [this.registry],
  });

  readonly pollerFailures = new Counter({
    name: 'poller_failures_total',
    help: 'Runs of a periodic task (Poller) that threw, by poller',
    labelNames: ['poller'] as const,
    registers: [this.registry],
  });

  private readonly collectors: (() => Promise<void>)[] = [];

  constructor() {
    collectDefaultMetrics({ register: this.registry });
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
