import type { EventEnvelope } from '@app/contracts';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Transactional outbox: written in the publisher's transaction, dispatched by the relay.
 * Hot paths use SQL; these entities exist so migrations are generated from one definition.
 */
@Entity({ schema: 'platform', name: 'outbox' })
@Index('outbox_pending_idx', ['id'], { where: 'dispatched_at IS NULL' })
export class OutboxRow {
  @PrimaryColumn('uuid') id: string;
  @Column('text') type: string;
  @Column('int') version: number;
  @Column('timestamptz', { name: 'occurred_at' }) occurredAt: Date;
  @Column('text', { name: 'correlation_id' }) correlationId: string;
  @Column('text', { name: 'causation_id' }) causationId: string;
  @Column('text', { name: 'tenant_id', nullable: true }) tenantId: string | null;
  @Column('jsonb') payload: object;
  /** W3C `traceparent` of the publishing span (null when tracing is off). */
  @Column('text', { nullable: true }) traceparent: string | null;
  /** An InternalEvent: delivered to its own context's consumers only, never to a broker. */
  @Column('boolean', { default: false }) internal: boolean;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Index('outbox_dispatched_at_idx')
  @Column('timestamptz', { name: 'dispatched_at', nullable: true })
  dispatchedAt: Date | null;
}

export type DeliveryStatus = 'pending' | 'done' | 'parked';

/**
 * Inbox: one row per (event, consumer). It is both the dedupe record (a consumer's effects
 * commit in the same transaction that marks its row `done`) and the retry/dead-letter state.
 */
@Entity({ schema: 'platform', name: 'inbox' })
@Index('inbox_due_idx', ['nextAttemptAt'], { where: "status = 'pending'" })
@Index('inbox_parked_idx', ['updatedAt', 'eventId', 'consumer'], { where: "status = 'parked'" })
export class InboxRow {
  @PrimaryColumn('uuid', { name: 'event_id' }) eventId: string;
  @PrimaryColumn('text') consumer: string;
  @Column('text', { name: 'event_type' }) eventType: string;
  @Column('int', { name: 'event_version' }) eventVersion: number;
  /** The full envelope, so a retry or re-drive needs nothing else. */
  @Column('jsonb') envelope: object;
  @Column('text') status: DeliveryStatus;
  @Column('int', { default: 0 }) attempts: number;
  @Column('timestamptz', { name: 'next_attempt_at', default: () => 'now()' }) nextAttemptAt: Date;
  @Column('text', { name: 'last_error', nullable: true }) lastError: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
}

/**
 * Every consumer any process hosts, registered at boot. The relay fans each event out to all
 * registered consumers of its type — not only those of the process that claimed it — so
 * processes hosting different CONTEXTS can share one database's outbox.
 */
@Entity({ schema: 'platform', name: 'consumers' })
@Index('consumers_event_idx', ['eventType', 'eventVersion'])
export class ConsumerRow {
  @PrimaryColumn('text') name: string;
  @Column('text', { name: 'event_type' }) eventType: string;
  @Column('int', { name: 'event_version' }) eventVersion: number;
  @Column('timestamptz', { name: 'registered_at', default: () => 'now()' }) registeredAt: Date;
  @Column('timestamptz', { name: 'last_seen_at', default: () => 'now()' }) lastSeenAt: Date;
}

/** A `platform.inbox` row as SQL returns it (raw SQL on the hot paths). */
export interface InboxRecord {
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
}

/** A `platform.outbox` row as the relay's claim returns it. */
export interface OutboxRecord {
  id: string;
  type: string;
  version: number;
  occurred_at: Date;
  correlation_id: string;
  causation_id: string;
  tenant_id: string | null;
  payload: object;
  internal: boolean;
  traceparent: string | null;
  created_at: Date;
}
