import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiCallMeter, type ApiCallCount } from '@app/platform';
import { DataSource } from 'typeorm';

/** One usage event, validated, on its way to `saas.usage_events`. */
export interface UsageRow {
  tenantId: string;
  eventId: string;
  meter: string;
  value: number;
  subject: string | null;
  occurredAt: Date;
}

/** What became of one row: stored now, stored before, or refused (its period is invoiced). */
export type IngestOutcome = 'accepted' | 'duplicate' | 'period_closed';

interface Waiting {
  rows: UsageRow[];
  resolve: (outcomes: IngestOutcome[]) => void;
  reject: (err: unknown) => void;
}

/** Most rows in one statement (a larger backlog goes in the next one). */
const MAX_BATCH_ROWS = 10_000;

/**
 * Durable-first usage intake with group commit. Each caller's rows are stored before its
 * promise resolves (a single autocommitted statement: on disk when it returns, as PostgreSQL's
 * synchronous commit guarantees), unique by (tenant, event id): a duplicate is stored once.
 * Concurrent callers share statements: while one is in flight, new rows wait and go together in
 * the next, so a burst of reports costs a few round trips, not one each, and a lone report
 * waits for nothing.
 *
 * The statement also refuses rows for a period already invoiced: it takes `FOR SHARE` on their
 * tenants' rows and compares `billed_through`, so it serialises with the finalizing of an
 * invoice (which updates that row first): an event lands before the invoice counts it, or it
 * is refused — never stored and left out.
 */
@Injectable()
export class UsageIngest implements OnModuleInit {
  private waiting: Waiting[] = [];
  private flushing = false;
  /** Rows per statement, recent statements: what group commit achieves (the bench reports it). */
  readonly batchSizes: number[] = [];

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly apiCalls: ApiCallMeter,
  ) {}

  onModuleInit(): void {
    // The platform counts tenant-scoped API calls; they arrive here as `api_calls` usage.
    this.apiCalls.use((counts) => this.storeApiCalls(counts));
  }

  store(rows: UsageRow[]): Promise<IngestOutcome[]> {
    if (rows.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.waiting.push({ rows, resolve, reject });
      if (!this.flushing) void this.drain();
    });
  }

  private async storeApiCalls(counts: ApiCallCount[]): Promise<void> {
    await this.store(
      counts.map((c) => ({
        tenantId: c.tenantId,
        eventId: c.eventId,
        meter: 'api_calls',
        value: c.count,
        subject: null,
        occurredAt: c.at,
      })),
    );
  }

  private async drain(): Promise<void> {
    this.flushing = true;
    try {
      while (this.waiting.length > 0) {
        const batch: Waiting[] = [];
        let size = 0;
        while (
          this.waiting.length > 0 &&
          (size === 0 || size + this.waiting[0]!.rows.length <= MAX_BATCH_ROWS)
        ) {
          const next = this.waiting.shift()!;
          batch.push(next);
          size += next.rows.length;
        }
        try {
          const outcomes = await this.write(batch.flatMap((w) => w.rows));
          let at = 0;
          for (const w of batch) {
            w.resolve(outcomes.slice(at, at + w.rows.length));
            at += w.rows.length;
          }
        } catch (err) {
          for (const w of batch) w.reject(err);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** One statement for all rows; outcomes in the rows' order (a repeat in the batch: duplicate). */
  private async write(rows: UsageRow[]): Promise<IngestOutcome[]> {
    this.batchSizes.push(rows.length);
    if (this.batchSizes.length > 1000) this.batchSizes.splice(0, 500);
    const result = await this.db.query<{ n: number; status: IngestOutcome }[]>(
      `WITH input AS (
         SELECT DISTINCT ON (tenant_id, event_id) *
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::timestamptz[])
                WITH ORDINALITY AS i(tenant_id, event_id, meter, value, subject, occurred_at, n)
          ORDER BY tenant_id, event_id, n
       ), open AS (
         SELECT i.* FROM input i JOIN saas.tenants t ON t.id = i.tenant_id
          WHERE i.occurred_at >= t.billed_through
            FOR SHARE OF t
       ), stored AS (
         INSERT INTO saas.usage_events (tenant_id, event_id, meter, value, subject, occurred_at)
         SELECT tenant_id, event_id, meter, value, subject, occurred_at FROM open
         ON CONFLICT (tenant_id, event_id) DO NOTHING
         RETURNING tenant_id, event_id
       )
       SELECT i.n::int AS n,
              CASE WHEN s.event_id IS NOT NULL THEN 'accepted'
                   WHEN o.event_id IS NULL THEN 'period_closed'
                   ELSE 'duplicate' END AS status
         FROM input i
         LEFT JOIN open o USING (tenant_id, event_id)
         LEFT JOIN stored s USING (tenant_id, event_id)`,
      [
        rows.map((r) => r.tenantId),
        rows.map((r) => r.eventId),
        rows.map((r) => r.meter),
        rows.map((r) => r.value),
        rows.map((r) => r.subject),
        rows.map((r) => r.occurredAt),
      ],
    );
    const outcomes: IngestOutcome[] = rows.map(() => 'duplicate');
    for (const r of result) outcomes[r.n - 1] = r.status;
    return outcomes;
  }
}
