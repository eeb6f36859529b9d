import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { EventBus } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  eventKey,
  type EventEnvelope,
  IntegrationEvent,
  type IntegrationEventClass,
} from '@app/contracts';
import type { Subscription } from 'rxjs';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { Transactions, type Tx } from '../database/transactions.js';
import { RequestContext } from '../http/request-context.js';
import { Metrics } from '../observability/metrics.js';
import { backoffMs } from './backoff.js';
import {
  CONSUMER_METADATA,
  type ConsumerMetadata,
  type IntegrationEventConsumer,
} from './consumer.decorator.js';

interface RegisteredConsumer extends ConsumerMetadata {
  instance: IntegrationEventConsumer;
}

interface Queued {
  event: IntegrationEvent;
  settle: (outcome: DeliveryOutcome) => void;
}

/** One consumer's queue, delivered by at most one loop at a time (in order). */
interface Lane {
  queue: Queued[];
  running: boolean;
}

export type DeliveryOutcome = 'consumed' | 'duplicate' | 'failed';

/** A pending/parked inbox row as the retry poller and the admin API (ParkedDeliveries) see it. */
export interface DeliveryRow {
  event_id: string;
  consumer: string;
  event_type: string;
  event_version: number;
  envelope: EventEnvelope;
  status: string;
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
  /** updated_at at full (microsecond) precision, for cursors; set by ParkedDeliveries.list. */
  updated_at_exact?: string;
}

const MAX_ERROR_LENGTH = 2000;

/**
 * The consuming side: knows every consumer hosted in this process, delivers each event to each
 * consumer idempotently (inbox row + effects in one transaction), retries failures per consumer
 * with exponential backoff and parks a delivery after INBOX_MAX_ATTEMPTS.
 *
 * It is the CQRS EventBus's one subscriber for integration events and routes each by type and
 * version to its consumers (one map lookup, however many consumers the process hosts), into one
 * lane per consumer. A lane delivers in arrival order, one transaction at a time, taking whatever
 * has queued up meanwhile as its next batch (≤ OUTBOX_BATCH_SIZE): the inbox rows are claimed
 * with one statement and `consume` runs for each fresh event in turn, in that event's own
 * context. If any of them throws, the whole batch rolls back and each event is delivered again
 * on its own, so only the failing one is retried — effects stay exactly-once and retries stay per
 * (event, consumer), at one commit per batch instead of one per event. Lanes are independent: a
 * slow consumer delays only its own events.
 */
@Injectable()
export class Inbox implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(Inbox.name);
  private readonly consumers = new Map<string, RegisteredConsumer>();
  private readonly byEvent = new Map<string, RegisteredConsumer[]>();
  private readonly eventClasses = new Map<string, IntegrationEventClass>();
  private readonly inFlight = new Set<Promise<DeliveryOutcome>>();
  private readonly lanes = new Map<RegisteredConsumer, Lane>();
  /** Set while `dispatch` publishes: the deliveries that publication queues. */
  private collecting?: Promise<DeliveryOutcome>[];
  private queued = 0;
  private readonly capacityWaiters: (() => void)[] = [];
  private subscription?: Subscription;
  private stopped = false;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly eventBus: EventBus,
    private readonly transactions: Transactions,
    private readonly context: RequestContext,
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const { metatype, instance } = wrapper;
      if (!metatype || !instance) continue;
      const meta = Reflect.getMetadata(CONSUMER_METADATA, metatype) as ConsumerMetadata | undefined;
      if (!meta) continue;
      if (this.consumers.has(meta.name)) throw new Error(`Duplicate consumer name "${meta.name}"`);
      const consumer: RegisteredConsumer = { ...meta, instance };
      this.consumers.set(meta.name, consumer);
      const key = eventKey(meta.event.type, meta.event.version);
      this.byEvent.set(key, [...(this.byEvent.get(key) ?? []), consumer]);
      this.eventClasses.set(key, meta.event);
    }
    if (this.consumers.size > 0) {
      this.subscription = this.eventBus.subscribe((event) => this.route(event));
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.settled();
    this.subscription?.unsubscribe();
  }

  /** Names of the consumers hosted here for an event type/version. */
  consumersOf(type: string, version: number): string[] {
    return (this.byEvent.get(eventKey(type, version)) ?? []).map((c) => c.name);
  }

  /**
   * Records this process's consumers in `platform.consumers`, so a relay in any process sharing
   * the database fans events out to them. To retire a consumer, delete its row.
   */
  async register(): Promise<void> {
    const consumers = [...this.consumers.values()];
    if (consumers.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO platform.consumers (name, event_type, event_version)
       SELECT * FROM unnest($1::text[], $2::text[], $3::int[])
       ON CONFLICT (name) DO UPDATE
         SET event_type = EXCLUDED.event_type, event_version = EXCLUDED.event_version, last_seen_at = now()`,
      [
        consumers.map((c) => c.name),
        consumers.map((c) => c.event.type),
        consumers.map((c) => c.event.version),
      ],
    );
  }

  /** Event types (any version) some consumer here handles: what to subscribe to on a broker. */
  get consumedTypes(): string[] {
    return [...new Set([...this.consumers.values()].map((c) => c.event.type))];
  }

  /**
   * Takes an event from a broker: records a pending delivery for each local consumer (so a
   * crash from here on is covered by the poller) and delivers it. Duplicates are no-ops.
   */
  async receive(envelope: EventEnvelope): Promise<void> {
    const local = this.consumersOf(envelope.type, envelope.version);
    if (local.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO platform.inbox (event_id, consumer, event_type, event_version, envelope, status, next_attempt_at)
       SELECT $1, c, $2, $3, $4, 'pending', now() + make_interval(secs => $5::double precision / 1000)
         FROM unnest($6::text[]) AS c
       ON CONFLICT (event_id, consumer) DO NOTHING`,
      [
        envelope.id,
        envelope.type,
        envelope.version,
        JSON.stringify(envelope),
        this.config.INBOX_LEASE_MS,
        local,
      ],
    );
    await this.dispatch([envelope]);
  }

  get consumerNames(): string[] {
    return [...this.consumers.keys()];
  }

  /**
   * Publishes envelopes in process on the CQRS EventBus and waits until every local consumer
   * has committed or recorded its failure, so callers can bound how much is in flight.
   */
  async dispatch(envelopes: EventEnvelope[]): Promise<void> {
    const events = envelopes
      .map((env) => this.hydrate(env))
      .filter((e): e is IntegrationEvent => e !== undefined);
    if (events.length === 0) return;
    // The bus calls route() synchronously, which queues each delivery into `collecting`.
    const queued: Promise<DeliveryOutcome>[] = [];
    this.collecting = queued;
    try {
      this.eventBus.publishAll(events);
    } finally {
      this.collecting = undefined;
    }
    await Promise.all(queued);
  }

  /** Waits for every delivery currently running. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled(this.inFlight);
  }

  /** Delivers due retries (and deliveries whose worker died mid-flight). Returns how many. */
  async processDue(limit = this.config.OUTBOX_BATCH_SIZE): Promise<number> {
    if (this.stopped || this.consumers.size === 0) return 0;
    const [rows] = (await this.dataSource.query(
      `UPDATE platform.inbox i
          SET next_attempt_at = now() + make_interval(secs => $3::double precision / 1000), updated_at = now()
         FROM (SELECT event_id, consumer FROM platform.inbox
                WHERE status = 'pending' AND next_attempt_at <= now() AND consumer = ANY($1)
                ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED) due
        WHERE i.event_id = due.event_id AND i.consumer = due.consumer
        RETURNING i.*`,
      [this.consumerNames, limit, this.config.INBOX_LEASE_MS],
    )) as [DeliveryRow[], number];
    await Promise.all(
      rows.map((row) => {
        const consumer = this.consumers.get(row.consumer);
        const event = this.hydrate(row.envelope);
        if (!consumer || !event) {
          // No handler for this version any more: park it rather than re-lease it for ever.
          const error = new Error(
            `no consumer ${row.consumer} for ${row.event_type}@${row.event_version} in this process`,
          );
          return this.recordFailure(row.consumer, row.envelope, error, true).then(
            () => 'failed' as const,
          );
        }
        return this.track(this.deliver(consumer, event));
      }),
    );
    return rows.length;
  }

  private hydrate(envelope: EventEnvelope): IntegrationEvent | undefined {
    const cls = this.eventClasses.get(eventKey(envelope.type, envelope.version));
    if (!cls) return undefined;
    const { payload, ...metadata } = envelope;
    return new cls(payload, metadata);
  }

  private track(p: Promise<DeliveryOutcome>): Promise<DeliveryOutcome> {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
    return p;
  }

  /** An event published on the bus: queue it for each local consumer of its type and version. */
  private route(event: unknown): void {
    if (!(event instanceof IntegrationEvent)) return; // an in-context domain event
    const consumers = this.byEvent.get(eventKey(event.type, event.version));
    if (!consumers) return;
    if (!event.metadata) {
      this.logger.error({ type: event.type }, 'integration event published without its envelope');
      return;
    }
    for (const consumer of consumers) {
      let lane = this.lanes.get(consumer);
      if (!lane) {
        lane = { queue: [], running: false };
        this.lanes.set(consumer, lane);
      }
      const queue = lane.queue;
      const delivery = this.track(
        new Promise<DeliveryOutcome>((settle) => queue.push({ event, settle })),
      );
      this.collecting?.push(delivery);
      this.queued++;
      if (!lane.running) void this.runLane(consumer, lane);
    }
  }

  /** Resolves once fewer than `limit` events wait in (or are being delivered by) the lanes. */
  async belowCapacity(limit: number): Promise<void> {
    while (this.queued >= limit) await new Promise<void>((r) => this.capacityWaiters.push(r));
  }

  /** Delivers a consumer's queued events, batch after batch, until its queue is empty. */
  private async runLane(consumer: RegisteredConsumer, lane: Lane): Promise<void> {
    lane.running = true;
    // A relay batch is published in one synchronous call: let all of it reach the queue.
    await Promise.resolve();
    try {
      while (lane.queue.length > 0) {
        const batch = lane.queue.splice(0, this.config.OUTBOX_BATCH_SIZE);
        let outcomes: DeliveryOutcome[];
        try {
          outcomes = await this.deliverBatch(
            consumer,
            batch.map((q) => q.event),
          );
        } catch (err) {
          // Could not even record the failure (database down?): the rows stay pending under
          // their lease, and the retry poller delivers them once it expires.
          this.logger.error({ err, consumer: consumer.name }, 'delivery failed unrecorded');
          outcomes = batch.map(() => 'failed');
        }
        batch.forEach((q, i) => q.settle(outcomes[i]!));
        this.queued -= batch.length;
        for (const wake of this.capacityWaiters.splice(0)) wake();
      }
    } finally {
      lane.running = false;
    }
  }

  /** Never rejects: every event ends consumed, duplicate, or failed (and scheduled or parked). */
  private async deliverBatch(
    consumer: RegisteredConsumer,
    events: IntegrationEvent[],
  ): Promise<DeliveryOutcome[]> {
    if (events.length === 1 || new Set(events.map((e) => e.metadata!.id)).size < events.length) {
      return Promise.all(events.map((e) => this.deliver(consumer, e)));
    }
    try {
      const fresh = await this.transactions.run((tx) => this.consumeIn(tx, consumer, events));
      return this.outcomes(consumer, events, fresh);
    } catch {
      // One of them failed (or the commit did): nothing of the batch is left. Deliver each on
      // its own so the failure is recorded against that event and consumer only.
      return Promise.all(events.map((e) => this.deliver(consumer, e)));
    }
  }

  /** One event to one consumer in its own transaction (and its failure recorded if it fails). */
  private deliver(consumer: RegisteredConsumer, event: IntegrationEvent): Promise<DeliveryOutcome> {
    return this.inContextOf(event, async () => {
      try {
        const fresh = await this.transactions.run((tx) => this.consumeIn(tx, consumer, [event]));
        return this.outcomes(consumer, [event], fresh)[0]!;
      } catch (err) {
        await this.recordFailure(consumer.name, toEnvelope(event), err);
        return 'failed';
      }
    });
  }

  /**
   * In `tx`: marks the events' inbox rows done for `consumer` (those still pending or new) with
   * one statement, then runs `consume` for each of those, in order. Returns their ids.
   */
  private async consumeIn(
    tx: Tx,
    consumer: RegisteredConsumer,
    events: IntegrationEvent[],
  ): Promise<Set<string>> {
    const claimed: { event_id: string }[] = await tx.manager.query(
      `INSERT INTO platform.inbox (event_id, consumer, event_type, event_version, envelope, status, attempts)
       SELECT e.id, $1, e.type, e.version, e.envelope, 'done', 1
         FROM unnest($2::uuid[], $3::text[], $4::int[], $5::jsonb[]) AS e(id, type, version, envelope)
       ON CONFLICT (event_id, consumer) DO UPDATE
         SET status = 'done', attempts = inbox.attempts + 1, last_error = NULL, updated_at = now()
       WHERE inbox.status = 'pending'
       RETURNING event_id`,
      [
        consumer.name,
        events.map((e) => e.metadata!.id),
        events.map((e) => e.type),
        events.map((e) => e.version),
        events.map((e) => JSON.stringify(toEnvelope(e))),
      ],
    );
    const fresh = new Set(claimed.map((r) => r.event_id));
    for (const event of events) {
      if (fresh.has(event.metadata!.id)) {
        await this.inContextOf(event, () => consumer.instance.consume(event, tx));
      }
    }
    return fresh;
  }

  /** Counts committed deliveries: consumed if this delivery ran them, else duplicates. */
  private outcomes(
    consumer: RegisteredConsumer,
    events: IntegrationEvent[],
    fresh: Set<string>,
  ): DeliveryOutcome[] {
    return events.map((e) => {
      const labels = { type: e.type, consumer: consumer.name };
      if (fresh.has(e.metadata!.id)) {
        this.metrics.eventsConsumed.inc(labels);
        return 'consumed';
      }
      this.metrics.eventsDuplicate.inc(labels);
      this.logger.debug(
        { eventId: e.metadata!.id, consumer: consumer.name },
        'duplicate delivery skipped',
      );
      return 'duplicate';
    });
  }

  /** Runs `fn` in the context of `event`'s delivery: its correlation id, it as the cause. */
  private inContextOf<T>(event: IntegrationEvent, fn: () => Promise<T>): Promise<T> {
    const meta = event.metadata!;
    return this.context.run(
      {
        correlationId: meta.correlationId,
        causationId: meta.id,
        tenantId: meta.tenantId,
        requestId: undefined,
      },
      fn,
    );
  }

  private async recordFailure(
    consumer: string,
    envelope: EventEnvelope,
    err: unknown,
    park = false,
  ): Promise<void> {
    const message = (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(
      0,
      MAX_ERROR_LENGTH,
    );
    const {
      INBOX_MAX_ATTEMPTS: max,
      INBOX_RETRY_BASE_MS: base,
      INBOX_RETRY_MAX_MS: cap,
    } = this.config;
    const rows: { attempts: number; status: string }[] = await this.dataSource.query(
      `INSERT INTO platform.inbox (event_id, consumer, event_type, event_version, envelope, status, attempts, last_error)
       VALUES ($1, $2, $3, $4, $5, 'pending', 1, $6)
       ON CONFLICT (event_id, consumer) DO UPDATE
         SET attempts = inbox.attempts + 1, last_error = EXCLUDED.last_error, updated_at = now()
       WHERE inbox.status = 'pending'
       RETURNING attempts, status`,
      [envelope.id, consumer, envelope.type, envelope.version, JSON.stringify(envelope), message],
    );
    const row = rows[0];
    if (!row) return; // already done (a concurrent duplicate succeeded) or parked
    const parked = park || row.attempts >= max;
    await this.dataSource.query(
      `UPDATE platform.inbox
          SET status = $3, next_attempt_at = now() + make_interval(secs => $4::double precision / 1000)
        WHERE event_id = $1 AND consumer = $2 AND status = 'pending'`,
      [
        envelope.id,
        consumer,
        parked ? 'parked' : 'pending',
        parked ? 0 : backoffMs(row.attempts, base, cap),
      ],
    );
    this.metrics.eventsFailed.inc({
      type: envelope.type,
      consumer,
      outcome: parked ? 'parked' : 'retry',
    });
    const log = {
      eventId: envelope.id,
      type: envelope.type,
      consumer,
      attempts: row.attempts,
      error: message,
    };
    if (parked) this.logger.error(log, 'delivery parked after repeated failures');
    else this.logger.warn(log, 'delivery failed; will retry');
  }
}

function toEnvelope(event: IntegrationEvent): EventEnvelope {
  return { ...event.metadata!, payload: event.payload };
}
