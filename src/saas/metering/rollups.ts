import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';

/**
 * How far before the watermark a rollup looks again, seconds: an event stored by a transaction
 * that began before the last rollup but committed after it is still folded (ingest is one
 * statement, bounded by the statement timeout, far below this).
 */
const OVERLAP_SECONDS = 120;

/** A meter's aggregation: the tenant's own definition, else the built-in one's. */
const AGGREGATED = `CASE COALESCE(m.aggregation, CASE e.meter WHEN 'storage_bytes' THEN 'max' ELSE 'sum' END)
    WHEN 'sum' THEN sum(e.value)
    WHEN 'max' THEN max(e.value)
    WHEN 'count' THEN count(*)
    ELSE count(DISTINCT e.subject) END`;

/**
 * Folds raw usage into `saas.usage_hourly(tenant, meter, hour, value)`. Each run recomputes,
 * from all the raw events, every (tenant, meter, hour) that received an event since the last
 * run, and upserts it: recomputing an hour always gives the same value, so a run repeated, two
 * workers at once, or a crash between the upsert and the watermark cannot double anything, and a
 * late event (back to 35 days) simply reopens its hour. Runs as the tables' owner, across
 * tenants (the service policy).
 */
@Injectable()
export class UsageRollups {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The hours touched since the last run; returns how many (tenant, meter, hour) it wrote. */
  async rollRecent(): Promise<number> {
    return this.db.transaction(async (manager) => {
      const [w] = await manager.query<{ since: Date; upto: Date }[]>(
        `SELECT received_before - make_interval(secs => ${OVERLAP_SECONDS}) AS since, now() AS upto
           FROM saas.rollup_watermark FOR UPDATE`,
      );
      const written = await this.fold(
        manager,
        `SELECT DISTINCT tenant_id, meter, date_trunc('hour', occurred_at, 'UTC') AS hour
           FROM saas.usage_events WHERE received_at >= $1`,
        [w!.since],
      );
      await manager.query(`UPDATE saas.rollup_watermark SET received_before = $1`, [w!.upto]);
      return written;
    });
  }

  /** Recomputes every hour of one tenant in `[from, to)` from its raw events. */
  async recompute(
    tenantId: string,
    from: Date,
    to: Date,
    manager: EntityManager = this.db.manager,
  ): Promise<number> {
    return this.fold(
      manager,
      `SELECT DISTINCT tenant_id, meter, date_trunc('hour', occurred_at, 'UTC') AS hour
         FROM saas.usage_events WHERE tenant_id = $1 AND occurred_at >= $2 AND occurred_at < $3`,
      [tenantId, from, to],
    );
  }

  private async fold(manager: EntityManager, dirty: string, params: unknown[]): Promise<number> {
    const rows = await manager.query<unknown[]>(
      `WITH dirty AS (${dirty})
       INSERT INTO saas.usage_hourly (tenant_id, meter, hour, value, events, computed_at)
       SELECT d.tenant_id, d.meter, d.hour, ${AGGREGATED}, count(*), now()
         FROM dirty d
         JOIN saas.usage_events e ON e.tenant_id = d.tenant_id AND e.meter = d.meter
              AND e.occurred_at >= d.hour AND e.occurred_at < d.hour + interval '1 hour'
         LEFT JOIN saas.meters m ON m.tenant_id = e.tenant_id AND m.key = e.meter
        GROUP BY d.tenant_id, d.meter, d.hour, m.aggregation, e.meter
       ON CONFLICT (tenant_id, meter, hour)
         DO UPDATE SET value = EXCLUDED.value, events = EXCLUDED.events, computed_at = now()
       RETURNING 1`,
      params,
    );
    return rows.length;
  }
}
