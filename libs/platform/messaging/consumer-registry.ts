import { Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  eventKey,
  type EventEnvelope,
  IntegrationEvent,
  type IntegrationEventClass,
} from '@app/contracts';
import { DataSource } from 'typeorm';
import {
  CONSUMER_METADATA,
  type ConsumerMetadata,
  type IntegrationEventConsumer,
} from './consumer.decorator.js';
import { contextOfType, isInternalEventClass } from './internal-event.js';

export interface RegisteredConsumer extends ConsumerMetadata {
  instance: IntegrationEventConsumer;
}

/**
 * Routing: every `@Consumes` provider hosted in this process, found once at boot, by name and by
 * event type and version. A consumer of another context's InternalEvent is refused here.
 */
@Injectable()
export class ConsumerRegistry {
  private readonly consumers = new Map<string, RegisteredConsumer>();
  private readonly byEvent = new Map<string, RegisteredConsumer[]>();
  private readonly eventClasses = new Map<string, IntegrationEventClass>();
  private discovered = false;

  constructor(
    private readonly discovery: DiscoveryService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** Finds the consumers among the app's providers (once; the Inbox calls it at module init). */
  discover(): void {
    if (this.discovered) return;
    this.discovered = true;
    for (const wrapper of this.discovery.getProviders()) {
      const { metatype, instance } = wrapper;
      if (!metatype || !instance) continue;
      const meta = Reflect.getMetadata(CONSUMER_METADATA, metatype) as ConsumerMetadata | undefined;
      if (meta) this.add({ ...meta, instance: instance as IntegrationEventConsumer });
    }
  }

  private add(consumer: RegisteredConsumer): void {
    const { name, event } = consumer;
    if (this.consumers.has(name)) throw new Error(`Duplicate consumer name "${name}"`);
    if (isInternalEventClass(event) && contextOfType(name) !== contextOfType(event.type)) {
      throw new Error(
        `Consumer "${name}" cannot consume ${event.type}: it is internal to ${contextOfType(event.type)}`,
      );
    }
    this.consumers.set(name, consumer);
    const key = eventKey(event.type, event.version);
    this.byEvent.set(key, [...(this.byEvent.get(key) ?? []), consumer]);
    this.eventClasses.set(key, event);
  }

  get size(): number {
    return this.consumers.size;
  }

  get names(): string[] {
    return [...this.consumers.keys()];
  }

  get(name: string): RegisteredConsumer | undefined {
    return this.consumers.get(name);
  }

  /** The consumers hosted here of an event's type and version (none: undefined). */
  of(type: string, version: number): RegisteredConsumer[] | undefined {
    return this.byEvent.get(eventKey(type, version));
  }

  /** Event types (any version) some consumer here handles, internal ones excepted: what to
   * subscribe to on a broker. */
  get brokeredTypes(): string[] {
    return [
      ...new Set(
        [...this.consumers.values()]
          .filter((c) => !isInternalEventClass(c.event))
          .map((c) => c.event.type),
      ),
    ];
  }

  /** Whether an envelope from a broker may be taken: known here and not internal. */
  acceptsFromBroker(envelope: EventEnvelope): boolean {
    const cls = this.eventClasses.get(eventKey(envelope.type, envelope.version));
    return cls !== undefined && !isInternalEventClass(cls);
  }

  /** The event class instance for an envelope, if a consumer here handles its type and version. */
  hydrate(envelope: EventEnvelope): IntegrationEvent | undefined {
    const cls = this.eventClasses.get(eventKey(envelope.type, envelope.version));
    if (!cls) return undefined;
    const { payload, ...metadata } = envelope;
    return new cls(payload as never, metadata);
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
}
