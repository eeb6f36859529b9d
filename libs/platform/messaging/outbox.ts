import { Injectable } from '@nestjs/common';
import type { IntegrationEvent } from '@app/contracts';
import { Subject } from 'rxjs';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { RequestContext } from '../http/request-context.js';
import { currentTraceparent } from '../observability/tracing.js';
import { InternalEvent } from './internal-event.js';

/** Whose an event is: the request or delivery it came from. */
export interface EventOrigin {
  correlationId: string;
  causationId: string;
  tenantId: string | null;
  traceparent: string | null;
}

const origins = new WeakMap<IntegrationEvent, EventOrigin>();

/**
 * Marks events as `origin`'s rather than the current context's — for a batch that writes many
 * requests' events in one transaction (GroupCommit), each keeping its own correlation id.
 */
export function withOrigin<E extends IntegrationEvent>(origin: EventOrigin, events: E[]): E[] {
  for (const e of events) origins.set(e, origin);
  return events;
}

/**
 * Writes integration events to `platform.outbox` inside the caller's transaction and signals
 * the relay after commit. Use it through `Transactions.run(tx => tx.publish(...))`.
 */
@Injectable()
export class Outbox {
  /** Fires after a transaction that wrote to the outbox has committed. */
  readonly commits$ = new Subject<void>();

  constructor(private readonly context: RequestContext) {}

  /** The current context as an event's origin (to write its events later, from a batch). */
  origin(): EventOrigin {
    return {
      correlationId: this.context.correlationId,
      causationId: this.context.causationId,
      tenantId: this.context.tenantId ?? null,
      traceparent: currentTraceparent() ?? null,
    };
  }

  async write(manager: EntityManager, events: IntegrationEvent[]): Promise<string[]> {
    const ids: string[] = [];
    const values: unknown[] = [];
    const rows: string[] = [];
    const now = new Date();
    let current: EventOrigin | undefined;
    for (const event of events) {
      const origin = origins.get(event) ?? (current ??= this.origin());
      const id = uuidv7();
      ids.push(id);
      const n = values.length;
      rows.push(
        `($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}, $${n + 6}, $${n + 7}, $${n + 8}, $${n + 9}, $${n + 10})`,
      );
      values.push(
        id,
        event.type,
        event.version,
        now,
        origin.correlationId,
        origin.causationId,
        origin.tenantId,
        JSON.stringify(event.payload),
        event instanceof InternalEvent,
        origin.traceparent,
      );
    }
    await manager.query(
      `INSERT INTO platform.outbox (id, type, version, occurred_at, correlation_id, causation_id, tenant_id, payload, internal, traceparent)
       VALUES ${rows.join(', ')}`,
      values,
    );
    return ids;
  }

  /** Called by Transactions after commit. */
  committed(): void {
    this.commits$.next();
  }
}
