/**
 * The published language: every integration event travels in this envelope, on the in-process
 * bus and on a broker alike. `type` + `version` identify the contract; a breaking change is a new
 * version (a new class), and consumers of the old one keep working.
 */
export interface EventEnvelope<P = unknown> {
  /** UUID v7, unique per event; consumers dedupe on (id, consumer). */
  id: string;
  /** `<context>.<fact>` in kebab case, e.g. `identity.user-registered`. */
  type: string;
  version: number;
  /** ISO-8601 UTC. */
  occurredAt: string;
  /** The request or process that started the chain of events. */
  correlationId: string;
  /** The message (request id or event id) that directly caused this one. */
  causationId: string;
  tenantId?: string;
  /** W3C trace context of the span that published it (present only when tracing is on). */
  traceparent?: string;
  payload: P;
}

/** The envelope's metadata, without the payload. */
export type EventMetadata = Omit<EventEnvelope, 'payload'>;

/**
 * Base class of every integration event. Subclasses declare `static type` and `static version`
 * and carry a plain JSON payload. Publishers construct them with the payload only; the outbox
 * fills in the envelope. Consumers receive them with `metadata` set.
 */
export abstract class IntegrationEvent<P extends object = object> {
  static readonly type: string;
  static readonly version: number;

  constructor(
    readonly payload: P,
    readonly metadata?: EventMetadata,
  ) {}

  /** The `type` of this event's class. */
  get type(): string {
    return (this.constructor as IntegrationEventClass).type;
  }

  get version(): number {
    return (this.constructor as IntegrationEventClass).version;
  }
}

export interface IntegrationEventClass<E extends IntegrationEvent = IntegrationEvent> {
  // `never`: any payload class fits; the payload itself comes from the publisher or the envelope.
  new (payload: never, metadata?: EventMetadata): E;
  readonly type: string;
  readonly version: number;
}

/** `identity.user-registered@1`: the key a (type, version) pair is registered under. */
export function eventKey(type: string, version: number): string {
  return `${type}@${version}`;
}
