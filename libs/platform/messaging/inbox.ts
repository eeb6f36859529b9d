import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { type EventEnvelope, IntegrationEvent } from '@app/contracts';
import type { Subscription } from 'rxjs';
import { AppConfig } from '../config/app-config.js';
import { Transactions, type Tx } from '../database/transactions.js';
import { crashPoint } from '../faults/crash-points.js';
import { RequestContext } from '../http/request-context.js';
import { Metrics } from '../observability/metrics.js';
import { inConsumerSpan, tracingEnabled } from '../observability/tracing.js';
import { ConsumerRegistry, type RegisteredConsumer } from './consumer-registry.js';
import { InboxStore, toEnvelope } from './inbox-store.js';
import { Lanes, type DeliveryOutcome } from './lanes.js';

export type { DeliveryOutcome } from './lanes.js';

/**
 * The consuming side: delivers each event to each consumer hosted here idempotently (inbox row
 * + effects in one transaction), retries failures per consumer with exponential backoff and
 * parks a delivery after INBOX_MAX_ATTEMPTS. Its parts: ConsumerRegistry (routing), InboxStore
 * (the SQL), Lanes (per-consumer ordering and capacity), ParkedDeliveries (dead letters).
 *
 * It is the CQRS EventBus's one subscriber for integration events and routes each by type and
 * version (one map lookup) into its consumers' lanes. A lane's batch is delivered in one
 * transaction: one statement claims the inbox rows and `consume` runs for each fresh event in
 * turn, in that event's own context. If any of them throws, the whole batch rolls back and each
 * event is delivered again on its own, so only the failing one is retried — effects stay
 * exactly-once and retries stay per (event, consumer), at one commit per batch instead of one
 * per event.
 */
@Injectable()
export class Inbox implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(Inbox.name);
  private readonly inFlight = new Set<Promise<DeliveryOutcome>>();
  private readonly lanes: Lanes<RegisteredConsumer>;
  /** Set while `dispatch` publishes: the deliveries that publication queues. */
  private collecting?: Promise<DeliveryOutcome>[];
  private subscription?: Subscription;
  private stopped = false;

  constructor(
    private readonly registry: ConsumerRegistry,
    private readonly store: InboxStore,
    private readonly eventBus: EventBus,
    private readonly transactions: Transactions,
    private readonly context: RequestContext,
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {
    this.lanes = new Lanes(
      config.OUTBOX_BATCH_SIZE,
      (consumer, events) => this.deliverBatch(consumer, events),
      (consumer, err) =>
        this.logger.error({ err, consumer: consumer.name }, 'delivery failed unrecorded'),
    );
  }

  onModuleInit(): void {
    this.registry.discover();
    if (this.registry.size > 0) {
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
    return (this.registry.of(type, version) ?? []).map((c) => c.name);
  }

  get consumerNames(): string[] {
    return this.registry.names;
  }

  /** Event types some consumer here takes from a broker (internal events never travel). */
  get consumedTypes(): string[] {
    return this.registry.brokeredTypes;
  }

  /** See ConsumerRegistry.register. */
  register(): Promise<void> {
    return this.registry.register();
  }

  /**
   * Takes an event from a broker: records a pending delivery for each local consumer (so a
   * crash from here on is covered by the poller) and delivers it. Duplicates are no-ops; an
   * internal event of some context is never accepted from a broker.
   */
  async receive(envelope: EventEnvelope): Promise<void> {
    if (!this.registry.acceptsFromBroker(envelope)) return;
    const local = this.consumersOf(envelope.type, envelope.version);
    await this.store.insertPending(envelope, local);
    await this.dispatch([envelope]);
  }

  /**
   * Publishes envelopes in process on the CQRS EventBus and waits until every local consumer
   * has committed or recorded its failure, so callers can bound how much is in flight.
   */
  async dispatch(envelopes: EventEnvelope[]): Promise<void> {
    const events = envelopes
      .map((env) => this.registry.hydrate(env))
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

  /** Resolves once fewer than `limit` events wait in the lanes (the relay's back pressure). */
  belowCapacity(limit: number): Promise<void> {
    return this.lanes.belowCapacity(limit);
  }

  /** Delivers due retries (and deliveries whose worker died mid-flight). Returns how many. */
  async processDue(limit = this.config.OUTBOX_BATCH_SIZE): Promise<number> {
    if (this.stopped || this.registry.size === 0) return 0;
    const due = await this.store.leaseDue(this.registry.names, limit);
    await Promise.all(
      due.map(({ consumer: name, envelope }) => {
        const consumer = this.registry.get(name);
        const event = this.registry.hydrate(envelope);
        if (!consumer || !event) {
          // No handler for this version any more: park it rather than re-lease it for ever.
          const error = new Error(
            `no consumer ${name} for ${envelope.type}@${envelope.version} in this process`,
          );
          return this.recordFailure(name, envelope, error, true);
        }
        return this.track(this.deliver(consumer, event));
      }),
    );
    return due.length;
  }

  private track(p: Promise<DeliveryOutcome>): Promise<DeliveryOutcome> {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
    return p;
  }

  /** An event published on the bus: queue it for each local consumer of its type and version. */
  private route(event: unknown): void {
    if (!(event instanceof IntegrationEvent)) return; // an in-process CQRS event
    const consumers = this.registry.of(event.type, event.version);
    if (!consumers) return;
    if (!event.metadata) {
      this.logger.error({ type: event.type }, 'integration event published without its envelope');
      return;
    }
    for (const consumer of consumers) {
      const delivery = this.track(this.lanes.push(consumer, event));
      this.collecting?.push(delivery);
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
        return this.recordFailure(consumer.name, toEnvelope(event), err);
      }
    });
  }

  /** In `tx`: claims the events' inbox rows, then runs `consume` for each fresh one, in order. */
  private async consumeIn(
    tx: Tx,
    consumer: RegisteredConsumer,
    events: IntegrationEvent[],
  ): Promise<Set<string>> {
    const fresh = await this.store.claim(tx, consumer.name, events);
    for (const event of events) {
      if (fresh.has(event.metadata!.id)) {
        const run = () => consumer.instance.consume(event, tx);
        await this.inContextOf(
          event,
          tracingEnabled()
            ? () => inConsumerSpan(event.type, consumer.name, event.metadata!, run)
            : run,
        );
      }
    }
    if (fresh.size > 0) crashPoint('consumer-before-commit');
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
  ): Promise<'failed'> {
    const recorded = await this.store.recordFailure(consumer, envelope, err, park);
    if (!recorded) return 'failed'; // already done (a concurrent duplicate succeeded) or parked
    const { attempts, parked, error } = recorded;
    this.metrics.eventsFailed.inc({
      type: envelope.type,
      consumer,
      outcome: parked ? 'parked' : 'retry',
    });
    const log = { eventId: envelope.id, type: envelope.type, consumer, attempts, error };
    if (parked) this.logger.error(log, 'delivery parked after repeated failures');
    else this.logger.warn(log, 'delivery failed; will retry');
    return 'failed';
  }
}
