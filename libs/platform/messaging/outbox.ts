import { Injectable } from '@nestjs/common';
import type { IntegrationEvent } from '@app/contracts';
import { Subject } from 'rxjs';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { RequestContext } from '../http/request-context.js';
import { currentTraceparent } from '../observability/tracing.js';
import { InternalEvent } from './internal-event.js';

/**
 * Writes integration events to `platform.outbox` inside the caller's transaction and signals
 * the relay after commit. Use it through `Transactions.run(tx => tx.publish(...))`.
 */
@Injectable()
export class Outbox {
  /** Fires after a transaction that wrote to the outbox has committed. */
  readonly commits$ = new Subject<void>();

  constructor(private readonly context: RequestContext) {}

  async write(manager: EntityManager, events: IntegrationEvent[]): Promise<string[]> {
    const ids: string[] = [];
    const values: unknown[] = [];
    const rows: string[] = [];
    const now = new Date();
    const traceparent = currentTraceparent() ?? null;
    for (const event of events) {
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
        this.context.correlationId,
        this.context.causationId,
        this.context.tenantId ?? null,
        JSON.stringify(event.payload),
        event instanceof InternalEvent,
        traceparent,
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
