import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { DeliveryRow } from './inbox.js';

/** The dead-letter side of the inbox, for admins: list parked deliveries and re-drive one. */
@Injectable()
export class ParkedDeliveries {
  private readonly logger = new Logger(ParkedDeliveries.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(
    limit: number,
    after?: { updatedAt: string; eventId: string; consumer: string },
  ): Promise<DeliveryRow[]> {
    const params: unknown[] = [limit];
    let where = `status = 'parked'`;
    if (after) {
      params.push(after.updatedAt, after.eventId, after.consumer);
      where += ` AND (updated_at, event_id, consumer) > ($2::timestamptz, $3::uuid, $4)`;
    }
    return (await this.dataSource.query(
      `SELECT *, updated_at::text AS updated_at_exact FROM platform.inbox WHERE ${where} ORDER BY updated_at, event_id, consumer LIMIT $1`,
      params,
    )) as DeliveryRow[];
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
