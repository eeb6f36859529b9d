import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { EventEnvelope } from '@app/contracts';
import { DataSource } from 'typeorm';
import type { InboxRecord } from './messaging.entities.js';

/** A parked (dead-lettered) delivery, as the admin API shows it. */
export interface ParkedRecord {
  eventId: string;
  consumer: string;
  eventType: string;
  eventVersion: number;
  attempts: number;
  lastError: string | null;
  envelope: EventEnvelope;
  firstSeenAt: Date;
  parkedAt: Date;
  /** `updated_at` at full (microsecond) precision, for the page cursor. */
  cursorAt: string;
}

export type ParkedCursor = {
  updatedAt: string;
  eventId: string;
  consumer: string;
};

const toParked = (r: InboxRecord & { updated_at_exact: string }): ParkedRecord => ({
  eventId: r.event_id,
  consumer: r.consumer,
  eventType: r.event_type,
  eventVersion: r.event_version,
  attempts: r.attempts,
  lastError: r.last_error,
  envelope: r.envelope,
  firstSeenAt: new Date(r.created_at),
  parkedAt: new Date(r.updated_at),
  cursorAt: r.updated_at_exact,
});

/** The dead-letter side of the inbox, for admins: list parked deliveries and re-drive one. */
@Injectable()
export class ParkedDeliveries {
  private readonly logger = new Logger(ParkedDeliveries.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(limit: number, after?: ParkedCursor): Promise<ParkedRecord[]> {
    const params: unknown[] = [limit];
    let where = `status = 'parked'`;
    if (after) {
      params.push(after.updatedAt, after.eventId, after.consumer);
      where += ` AND (updated_at, event_id, consumer) > ($2::timestamptz, $3::uuid, $4)`;
    }
    const rows = (await this.dataSource.query(
      `SELECT *, updated_at::text AS updated_at_exact FROM platform.inbox WHERE ${where} ORDER BY updated_at, event_id, consumer LIMIT $1`,
      params,
    )) as (InboxRecord & { updated_at_exact: string })[];
    return rows.map(toParked);
  }

  /** Moves a parked delivery back to pending with a fresh attempt budget. */
  async redrive(eventId: string, consumer: string): Promise<boolean> {
    const [, count] = (await this.dataSource.query(
      `UPDATE platform.inbox SET status = 'pending', attempts = 0, next_attempt_at = now(), updated_at = now()
        WHERE event_id = $1 AND consumer = $2 AND status = 'parked'`,
      [eventId, consumer],
    )) as [unknown, number];
    if (count > 0) this.logger.log({ eventId, consumer }, 'parked delivery re-driven');
    return count > 0;
  }
}
