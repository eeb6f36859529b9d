import {
  Command,
  CommandHandler,
  ICommandHandler,
  IQueryHandler,
  Query,
  QueryHandler,
} from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { isUniqueViolation, TenantTransactions, type CurrentTenantInfo } from '@app/platform';
import { DataSource } from 'typeorm';
import { BUILT_IN_METERS, type Aggregation } from '../plans.js';
import { SaasConfig } from '../saas.config.js';
import { SaasError } from '../saas.error.js';
import { periodOf } from './billing-period.js';
import { UsageIngest, type UsageRow } from './usage-ingest.js';
import type {
  CreateMeterRequest,
  MeterList,
  MeterView,
  UsageBatchRequest,
  UsageBatchResult,
  UsageEventResult,
  UsageView,
} from './usage.dto.js';

/** The tenant's meters: the built-in ones, then its own. */
export async function metersOf(db: DataSource, tenantId: string): Promise<MeterView[]> {
  const own = await db.query<{ key: string; name: string; aggregation: Aggregation }[]>(
    `SELECT key, name, aggregation FROM saas.meters WHERE tenant_id = $1 ORDER BY key`,
    [tenantId],
  );
  return [
    ...Object.entries(BUILT_IN_METERS).map(([key, m]) => ({
      key,
      name: key.replace('_', ' '),
      aggregation: m.aggregation,
      builtIn: true,
    })),
    ...own.map((m) => ({ ...m, builtIn: false })),
  ];
}

export class RecordUsage extends Command<UsageBatchResult> {
  constructor(
    readonly tenant: CurrentTenantInfo,
    readonly body: UsageBatchRequest,
  ) {
    super();
  }
}

/**
 * A batch of usage events: each is checked on its own (its meter, its timestamp within 35 days
 * back and 5 minutes ahead, as Stripe's meter events) and the valid ones are stored durably
 * before the answer. One bad event does not fail the others; the results say which was which.
 */
@CommandHandler(RecordUsage)
export class RecordUsageHandler implements ICommandHandler<RecordUsage> {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ingest: UsageIngest,
    private readonly config: SaasConfig,
  ) {}

  async execute({ tenant, body }: RecordUsage): Promise<UsageBatchResult> {
    const now = Date.now();
    const oldest = now - this.config.SAAS_USAGE_MAX_AGE_SECONDS * 1000;
    const latest = now + this.config.SAAS_USAGE_MAX_AHEAD_SECONDS * 1000;
    const builtIn = new Set(Object.keys(BUILT_IN_METERS));
    const needsCustom = body.events.some((e) => !builtIn.has(e.meter));
    const custom = needsCustom
      ? new Map((await metersOf(this.db, tenant.id)).map((m) => [m.key, m.aggregation]))
      : new Map<string, string>();
    const results: UsageEventResult[] = [];
    const rows: UsageRow[] = [];
    const slots: number[] = [];
    for (const e of body.events) {
      const at = e.timestamp ? Date.parse(e.timestamp) : now;
      const reason =
        e.meter === 'api_calls'
          ? 'reserved_meter'
          : !builtIn.has(e.meter) && !custom.has(e.meter)
            ? 'unknown_meter'
            : at < oldest
              ? 'too_old'
              : at > latest
                ? 'in_future'
                : undefined;
      if (reason) {
        results.push({ eventId: e.eventId, status: 'rejected', reason });
        continue;
      }
      slots.push(results.length);
      results.push({ eventId: e.eventId, status: 'accepted' });
      rows.push({
        tenantId: tenant.id,
        eventId: e.eventId,
        meter: e.meter,
        value: e.value ?? 1,
        subject: e.subject ?? null,
        occurredAt: new Date(at),
      });
    }
    const outcomes = await this.ingest.store(rows);
    outcomes.forEach((outcome, i) => {
      const slot = results[slots[i]!]!;
      if (outcome === 'duplicate') slot.status = 'duplicate';
      if (outcome === 'period_closed') {
        slot.status = 'rejected';
        slot.reason = 'period_closed';
      }
    });
    return {
      accepted: results.filter((r) => r.status === 'accepted').length,
      duplicates: results.filter((r) => r.status === 'duplicate').length,
      rejected: results.filter((r) => r.status === 'rejected').length,
      results,
    };
  }
}

export class GetUsage extends Query<UsageView> {
  constructor(
    readonly tenant: CurrentTenantInfo,
    readonly meter?: string,
  ) {
    super();
  }
}

/**
 * The current period's usage by meter and day, from the hourly rollups (as of the last rollup
 * run) and, for unique counts (which do not add up across hours), from the raw events. Read in
 * a tenant transaction: the policies keep it to the tenant's rows.
 */
@QueryHandler(GetUsage)
export class GetUsageHandler implements IQueryHandler<GetUsage> {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tenantTx: TenantTransactions,
    private readonly config: SaasConfig,
  ) {}

  async execute({ tenant, meter }: GetUsage): Promise<UsageView> {
    const period = periodOf(new Date(), this.config.SAAS_BILLING_PERIOD_SECONDS);
    const meters = (await metersOf(this.db, tenant.id)).filter((m) => !meter || m.key === meter);
    const rows = await this.tenantTx.run(
      ({ manager }) =>
        manager.query<{ meter: string; day: string; value: string }[]>(
          `WITH m AS (SELECT * FROM unnest($3::text[], $4::text[]) AS m(key, aggregation))
         SELECT h.meter, to_char(h.hour AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
                CASE m.aggregation WHEN 'max' THEN max(h.value) ELSE sum(h.value) END::text AS value
           FROM saas.usage_hourly h JOIN m ON m.key = h.meter AND m.aggregation <> 'unique_count'
          WHERE h.hour >= $1 AND h.hour < $2
          GROUP BY h.meter, m.aggregation, 2
         UNION ALL
         SELECT e.meter, to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), count(DISTINCT e.subject)::text
           FROM saas.usage_events e JOIN m ON m.key = e.meter AND m.aggregation = 'unique_count'
          WHERE e.occurred_at >= $1 AND e.occurred_at < $2
          GROUP BY e.meter, 2
         ORDER BY 1, 2`,
          [period.start, period.end, meters.map((m) => m.key), meters.map((m) => m.aggregation)],
        ),
      { on: 'platform' },
    );
    const totals = await this.uniqueTotals(period, meters);
    return {
      periodStart: period.start.toISOString(),
      periodEnd: period.end.toISOString(),
      meters: meters.map((m) => {
        const days = rows
          .filter((r) => r.meter === m.key)
          .map((r) => ({ day: r.day, value: Number(r.value) }));
        const total =
          m.aggregation === 'unique_count'
            ? (totals.get(m.key) ?? 0)
            : m.aggregation === 'max'
              ? Math.max(0, ...days.map((d) => d.value))
              : days.reduce((s, d) => s + d.value, 0);
        return { meter: m.key, aggregation: m.aggregation, total, days };
      }),
    };
  }

  /** Distinct subjects over the whole period (not the sum of the days'). */
  private async uniqueTotals(period: { start: Date; end: Date }, meters: MeterView[]) {
    const keys = meters.filter((m) => m.aggregation === 'unique_count').map((m) => m.key);
    if (keys.length === 0) return new Map<string, number>();
    const rows = await this.tenantTx.run(
      ({ manager }) =>
        manager.query<{ meter: string; n: number }[]>(
          `SELECT meter, count(DISTINCT subject)::int AS n FROM saas.usage_events
          WHERE meter = ANY($3) AND occurred_at >= $1 AND occurred_at < $2 GROUP BY meter`,
          [period.start, period.end, keys],
        ),
      { on: 'platform' },
    );
    return new Map(rows.map((r) => [r.meter, r.n]));
  }
}

export class CreateMeter extends Command<MeterView> {
  constructor(
    readonly tenant: CurrentTenantInfo,
    readonly body: CreateMeterRequest,
  ) {
    super();
  }
}

/** A custom meter of the tenant's (owners and admins), under its RLS. */
@CommandHandler(CreateMeter)
export class CreateMeterHandler implements ICommandHandler<CreateMeter> {
  constructor(private readonly tenantTx: TenantTransactions) {}

  async execute({ tenant, body }: CreateMeter): Promise<MeterView> {
    if (tenant.role !== 'owner' && tenant.role !== 'admin') {
      throw new SaasError('saas.not_tenant_admin', 'Only owners and admins define meters.', {
        role: tenant.role,
      });
    }
    if (body.key in BUILT_IN_METERS) {
      throw new SaasError('saas.meter_exists', `"${body.key}" is a built-in meter.`);
    }
    try {
      await this.tenantTx.run(
        ({ manager }) =>
          manager.query(
            `INSERT INTO saas.meters (tenant_id, key, name, aggregation)
           VALUES (current_setting('app.tenant_id')::uuid, $1, $2, $3)`,
            [body.key, body.name, body.aggregation],
          ),
        { on: 'platform' },
      );
    } catch (err) {
      if (isUniqueViolation(err))
        throw new SaasError('saas.meter_exists', `The tenant has a meter "${body.key}".`);
      throw err;
    }
    return { key: body.key, name: body.name, aggregation: body.aggregation, builtIn: false };
  }
}

export class ListMeters extends Query<MeterList> {
  constructor(readonly tenant: CurrentTenantInfo) {
    super();
  }
}

@QueryHandler(ListMeters)
export class ListMetersHandler implements IQueryHandler<ListMeters> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ tenant }: ListMeters): Promise<MeterList> {
    return { items: await metersOf(this.db, tenant.id) };
  }
}
