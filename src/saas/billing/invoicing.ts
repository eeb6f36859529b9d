import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { InvoiceChargeRequested, InvoiceFinalized } from '@app/contracts/saas';
import { freezePoint, Transactions } from '@app/platform';
import { DataSource, type EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { periodOf, type Period } from '../metering/billing-period.js';
import {
  BUILT_IN_METERS,
  PLANS,
  priceUsage,
  type BuiltInMeter,
  type PricedLine,
} from '../plans.js';
import { SaasConfig } from '../saas.config.js';
import type { TenantRow } from '../tenants/tenant.entity.js';
import { Dunning } from './dunning.js';
import type { InvoiceRow } from './invoice.entity.js';

/** Periods one run invoices per tenant at most (a tenant far behind catches up over runs). */
const PERIODS_PER_RUN = 3;

/**
 * A frozen closer (stopped, swapped out, partitioned) must not finish a finalization after
 * another one has: its transaction is ended by PostgreSQL once idle this long, and the version
 * it read no longer matches by then.
 */
const LEASE = '5s';

/**
 * Period close, in three steps each run (BillingProcessor):
 * 1. every tenant whose current period ended gets a **draft** for it: `UNIQUE (tenant_id,
 *    period_start)` decides which closer's insert wins, so a period is invoiced once;
 * 2. drafts still in their grace period are repriced from the raw usage (late events count);
 * 3. drafts past their grace are **finalized**: in one transaction the tenant's row is locked
 *    and `billed_through` moved to the period's end (usage for it is refused from then on, see
 *    UsageIngest), the lines are priced from the raw usage a last time, the invoice becomes
 *    `open` (or `paid` when it is 0) only if its version is the one read, and
 *    `saas.invoice-finalized` is published with it. A second closer finds a newer version or
 *    another status and does nothing.
 */
@Injectable()
export class Invoicing {
  private readonly logger = new Logger(Invoicing.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly transactions: Transactions,
    private readonly config: SaasConfig,
    private readonly dunning: Dunning,
  ) {}

  /** One close run; returns how many invoices it created, repriced and finalized. */
  async close(now = new Date()): Promise<{ created: number; repriced: number; finalized: number }> {
    const created = await this.createDrafts(now);
    const drafts = await this.db.query<InvoiceRow[]>(
      `SELECT * FROM saas.invoices WHERE status = 'draft' ORDER BY finalizes_at, id LIMIT 1000`,
    );
    let repriced = 0;
    let finalized = 0;
    for (const draft of drafts) {
      if (new Date(draft.finalizes_at) <= now) {
        if (await this.finalize(draft)) finalized++;
      } else if (await this.reprice(draft)) repriced++;
    }
    await this.dunning.run(now);
    return { created, repriced, finalized };
  }

  /** The usage of a tenant's period from its raw events: sums, and storage's peak. */
  async usageOf(
    manager: EntityManager,
    tenantId: string,
    period: Period,
  ): Promise<Partial<Record<BuiltInMeter, number>>> {
    const rows = await manager.query<{ meter: BuiltInMeter; q: string }[]>(
      `SELECT meter, (CASE WHEN meter = 'storage_bytes' THEN max(value) ELSE sum(value) END)::text AS q
         FROM saas.usage_events
        WHERE tenant_id = $1 AND meter = ANY($2) AND occurred_at >= $3 AND occurred_at < $4
        GROUP BY meter`,
      [tenantId, Object.keys(BUILT_IN_METERS), period.start, period.end],
    );
    return Object.fromEntries(rows.map((r) => [r.meter, Number(r.q)]));
  }

  private async createDrafts(now: Date): Promise<number> {
    const tenants = await this.db.query<(TenantRow & { last_end: Date | null })[]>(
      `SELECT t.*, (SELECT max(period_end) FROM saas.invoices i WHERE i.tenant_id = t.id) AS last_end
         FROM saas.tenants t ORDER BY t.id`,
    );
    const seconds = this.config.SAAS_BILLING_PERIOD_SECONDS;
    let created = 0;
    for (const tenant of tenants) {
      let start = tenant.last_end ?? tenant.billing_starts_at;
      for (let i = 0; i < PERIODS_PER_RUN; i++) {
        const period = periodOf(new Date(start), seconds);
        if (period.end > now) break;
        if (await this.createDraft(tenant, period)) created++;
        start = period.end;
      }
    }
    return created;
  }

  private async createDraft(tenant: TenantRow, period: Period): Promise<boolean> {
    const finalizesAt = new Date(
      period.end.getTime() + this.config.SAAS_INVOICE_GRACE_SECONDS * 1000,
    );
    return this.transactions.run(async ({ manager }) => {
      // Numbers are the tenant's count + 1: two closers drafting two periods of one tenant at
      // once would both take the same one. The tenant's row lock orders them (finalize takes it
      // too), and the insert, a statement of its own, then counts what the other committed.
      await manager.query(`SELECT 1 FROM saas.tenants WHERE id = $1 FOR UPDATE`, [tenant.id]);
      const lines = priceUsage(PLANS[tenant.plan], await this.usageOf(manager, tenant.id, period));
      const total = lines.reduce((s, l) => s + l.amount, 0);
      const id = uuidv7();
      const inserted = await manager.query<{ id: string }[]>(
        `INSERT INTO saas.invoices (tenant_id, id, number, period_start, period_end, plan, status,
                                    currency, subtotal, total, finalizes_at)
         VALUES ($1, $2, upper($3) || '-' || lpad(((SELECT count(*) FROM saas.invoices WHERE tenant_id = $1) + 1)::text, 4, '0'),
                 $4, $5, $6, 'draft', $7, $8, $8, $9)
         ON CONFLICT (tenant_id, period_start) DO NOTHING RETURNING id`,
        [
          tenant.id,
          id,
          tenant.slug,
          period.start,
          period.end,
          tenant.plan,
          PLANS[tenant.plan].currency,
          total,
          finalizesAt,
        ],
      );
      if (inserted.length === 0) return false;
      await writeLines(manager, tenant.id, id, lines);
      return true;
    });
  }

  private async reprice(draft: InvoiceRow): Promise<boolean> {
    return this.transactions.run(async ({ manager }) => {
      const period = { start: new Date(draft.period_start), end: new Date(draft.period_end) };
      const lines = priceUsage(
        PLANS[draft.plan as keyof typeof PLANS],
        await this.usageOf(manager, draft.tenant_id, period),
      );
      const total = lines.reduce((s, l) => s + l.amount, 0);
      const [updated] = await manager.query<[unknown[], number]>(
        `UPDATE saas.invoices SET subtotal = $3, total = $3, version = version + 1, updated_at = now()
          WHERE tenant_id = $1 AND id = $2 AND status = 'draft' AND version = $4 RETURNING id`,
        [draft.tenant_id, draft.id, total, draft.version],
      );
      if (updated.length === 0) return false;
      await writeLines(manager, draft.tenant_id, draft.id, lines);
      return true;
    });
  }

  private async finalize(draft: InvoiceRow): Promise<boolean> {
    const done = await this.transactions.run(async (tx) => {
      const { manager } = tx;
      await manager.query(`SET LOCAL idle_in_transaction_session_timeout = '${LEASE}'`);
      // Usage for the period is refused from here on (UsageIngest waits on this lock, then sees it).
      const [[tenant]] = await manager.query<[TenantRow[], number]>(
        `UPDATE saas.tenants SET billed_through = GREATEST(billed_through, $2), updated_at = now()
          WHERE id = $1 RETURNING *`,
        [draft.tenant_id, draft.period_end],
      );
      freezePoint('invoice-finalizing');
      const period = { start: new Date(draft.period_start), end: new Date(draft.period_end) };
      const lines = priceUsage(
        PLANS[draft.plan as keyof typeof PLANS],
        await this.usageOf(manager, draft.tenant_id, period),
      );
      const total = lines.reduce((s, l) => s + l.amount, 0);
      // Nothing to pay: paid. A card on file: charged (attempt 1). None: past due at once, and
      // dunning tries again (the owner may add a card meanwhile).
      const card = tenant!.billing_card_token;
      const [updated] = await manager.query<[InvoiceRow[], number]>(
        `UPDATE saas.invoices
            SET subtotal = $3::bigint, total = $3::bigint, version = version + 1,
                status = CASE WHEN $3::bigint = 0 THEN 'paid' WHEN $5 THEN 'open' ELSE 'past_due' END,
                payment_attempts = CASE WHEN $3::bigint > 0 AND $5 THEN 1 ELSE 0 END,
                next_payment_at = CASE WHEN $3::bigint > 0 AND NOT $5 THEN now() + make_interval(secs => $6) END,
                finalized_at = now(), paid_at = CASE WHEN $3::bigint = 0 THEN now() END, updated_at = now()
          WHERE tenant_id = $1 AND id = $2 AND status = 'draft' AND version = $4 RETURNING *`,
        [
          draft.tenant_id,
          draft.id,
          total,
          draft.version,
          card !== null,
          this.config.SAAS_DUNNING_RETRY_SECONDS,
        ],
      );
      const invoice = updated[0];
      if (!invoice) return false;
      await writeLines(manager, draft.tenant_id, draft.id, lines);
      await tx.publish(
        new InvoiceFinalized({
          tenantId: draft.tenant_id,
          invoiceId: draft.id,
          number: invoice.number,
          periodStart: period.start.toISOString(),
          periodEnd: period.end.toISOString(),
          amount: total,
          currency: invoice.currency,
          customerId: tenant!.owner_id,
          cardToken: card,
        }),
      );
      if (invoice.status === 'open') {
        await tx.publish(
          new InvoiceChargeRequested({
            tenantId: draft.tenant_id,
            invoiceId: draft.id,
            amount: total,
            currency: invoice.currency,
            customerId: tenant!.owner_id,
            cardToken: card!,
            attempt: 1,
          }),
        );
      }
      return true;
    });
    if (done)
      this.logger.log({ tenantId: draft.tenant_id, invoiceId: draft.id }, 'invoice finalized');
    return done;
  }
}

/** Replaces an invoice's lines (the draft's price changed with late usage). */
async function writeLines(
  manager: EntityManager,
  tenantId: string,
  invoiceId: string,
  lines: PricedLine[],
): Promise<void> {
  await manager.query(`DELETE FROM saas.invoice_lines WHERE tenant_id = $1 AND invoice_id = $2`, [
    tenantId,
    invoiceId,
  ]);
  await manager.query(
    `INSERT INTO saas.invoice_lines (tenant_id, invoice_id, position, kind, meter, description, quantity, unit_amount, amount)
     SELECT $1, $2, l.position, l.kind, l.meter, l.description, l.quantity, l.unit_amount, l.amount
       FROM unnest($3::int[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::bigint[])
            AS l(position, kind, meter, description, quantity, unit_amount, amount)`,
    [
      tenantId,
      invoiceId,
      lines.map((_, i) => i + 1),
      lines.map((l) => l.kind),
      lines.map((l) => l.meter),
      lines.map((l) => l.description),
      lines.map((l) => l.quantity),
      lines.map((l) => l.unitAmount),
      lines.map((l) => l.amount),
    ],
  );
}
