import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { EventEnvelope, IntegrationEvent } from '@app/contracts';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import type { Tx } from '../database/transactions.js';
import { backoffMs } from './backoff.js';
import type { InboxRecord } from './messaging.entities.js';

/** A due delivery, as the retry poller sees it. */
export interface DueDelivery {
  consumer: string;
  envelope: EventEnvelope;
}

const MAX_ERROR_LENGTH = 2000;

export function toEnvelope(event: IntegrationEvent): EventEnvelope {
  return { ...event.metadata!, payload: event.payload };
}

/**
 * The inbox's SQL, in one place: pending rows for broker deliveries, leasing due retries,
 * claiming a batch inside the consumer's transaction, and recording failures with backoff.
 */
@Injectable()
export class InboxStore {
  constructor(
    private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** One pending row per local consumer, leased to the delivery about to run. */
  async insertPending(envelope: EventEnvelope, consumers: string[]): Promise<void> {
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
        consumers,
      ],
    );
  }

  /** Leases up to `limit` due pending deliveries of these consumers (SKIP LOCKED). */
  async leaseDue(consumers: string[], limit: number): Promise<DueDelivery[]> {
    const [rows] = (await this.dataSource.query(
      `UPDATE platform.inbox i
          SET next_attempt_at = now() + make_interval(secs => $3::double precision / 1000), updated_at = now()
         FROM (SELECT event_id, consumer FROM platform.inbox
                WHERE status = 'pending' AND next_attempt_at <= now() AND consumer = ANY($1)
                ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED) due
        WHERE i.event_id = due.event_id AND i.consumer = due.consumer
        RETURNING i.consumer, i.envelope`,
      [consumers, limit, this.config.INBOX_LEASE_MS],
    )) as [Pick<InboxRecord, 'consumer' | 'envelope'>[], number];
    return rows.map((r) => ({ consumer: r.consumer, envelope: r.envelope }));
  }

  /**
   * In `tx`: marks the events' rows done for `consumer` — those still pending, or new — with one
   * statement. Returns the ids it marked: the events this delivery must run.
   */
  async claim(tx: Tx, consumer: string, events: IntegrationEvent[]): Promise<Set<string>> {
    const claimed: { event_id: string }[] = await tx.manager.query(
      `INSERT INTO platform.inbox (event_id, consumer, event_type, event_version, envelope, status, attempts)
       SELECT e.id, $1, e.type, e.version, e.envelope, 'done', 1
         FROM unnest($2::uuid[], $3::text[], $4::int[], $5::jsonb[]) AS e(id, type, version, envelope)
       ON CONFLICT (event_id, consumer) DO UPDATE
         SET status = 'done', attempts = inbox.attempts + 1, last_error = NULL, updated_at = now()
       WHERE inbox.status = 'pending'
       RETURNING event_id`,
      [
        consumer,
        events.map((e) => e.metadata!.id),
        events.map((e) => e.type),
        events.map((e) => e.version),
        events.map((e) => JSON.stringify(toEnvelope(e))),
      ],
    );
    return new Set(claimed.map((r) => r.event_id));
  }

  /**
   * Counts a failed attempt and schedules the retry (exponential backoff, equal jitter) or parks
   * the delivery after INBOX_MAX_ATTEMPTS (or at once with `park`). Returns what happened, or
   * undefined when the row is already done (a concurrent duplicate succeeded) or parked.
   */
  async recordFailure(
    consumer: string,
    envelope: EventEnvelope,
    err: unknown,
    park = false,
  ): Promise<{ attempts: number; parked: boolean; error: string } | undefined> {
    const error = (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(
      0,
      MAX_ERROR_LENGTH,
    );
    const {
      INBOX_MAX_ATTEMPTS: max,
      INBOX_RETRY_BASE_MS: base,
      INBOX_RETRY_MAX_MS: cap,
    } = this.config;
    const rows: Pick<InboxRecord, 'attempts'>[] = await this.dataSource.query(
      `INSERT INTO platform.inbox (event_id, consumer, event_type, event_version, envelope, status, attempts, last_error)
       VALUES ($1, $2, $3, $4, $5, 'pending', 1, $6)
       ON CONFLICT (event_id, consumer) DO UPDATE
         SET attempts = inbox.attempts + 1, last_error = EXCLUDED.last_error, updated_at = now()
       WHERE inbox.status = 'pending'
       RETURNING attempts`,
      [envelope.id, consumer, envelope.type, envelope.version, JSON.stringify(envelope), error],
    );
    const row = rows[0];
    if (!row) return undefined;
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
    return { attempts: row.attempts, parked, error };
  }
}
