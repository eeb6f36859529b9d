/** Runs one SQL statement (the bench's and the fault tests' own connections). */
export type Query = (text: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

/** A period's price, in minor units, of `usage` (by meter) on `plan` (saas's priceUsage). */
export type Price = (plan: string, usage: Record<string, number>) => number;

const RAW_HOURS = `
  SELECT e.tenant_id, e.meter, date_trunc('hour', e.occurred_at, 'UTC') AS hour,
         CASE COALESCE(m.aggregation, CASE e.meter WHEN 'storage_bytes' THEN 'max' ELSE 'sum' END)
           WHEN 'sum' THEN sum(e.value) WHEN 'max' THEN max(e.value) WHEN 'count' THEN count(*)
           ELSE count(DISTINCT e.subject) END AS value
    FROM saas.usage_events e LEFT JOIN saas.meters m ON m.tenant_id = e.tenant_id AND m.key = e.meter
   GROUP BY 1, 2, 3, m.aggregation`;

/**
 * The saas invariants a bench scenario or a fault test ends with: every hourly rollup equals its
 * hour recomputed from the raw events (waiting up to `settleMs` for the rollup job to catch up),
 * and every final invoice's total, and the sum of its lines, equal its period's raw usage priced
 * by its plan.
 */
export async function saasInvariants(
  query: Query,
  price: Price,
  { settleMs = 30_000 } = {},
): Promise<string[]> {
  const problems: string[] = [];
  const deadline = Date.now() + settleMs;
  for (;;) {
    const [drift] = await query(
      `WITH raw AS (${RAW_HOURS})
       SELECT count(*)::int AS n FROM raw FULL JOIN saas.usage_hourly h USING (tenant_id, meter, hour)
        WHERE raw.value IS DISTINCT FROM h.value`,
    );
    const n = Number(drift!.n);
    if (n === 0) break;
    if (Date.now() > deadline) {
      problems.push(`${n} hourly rollups differ from their raw events`);
      break;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const invoices = await query(
    `SELECT i.id, i.tenant_id, i.plan, i.period_start, i.period_end, i.total::bigint AS total,
            (SELECT COALESCE(sum(amount), 0)::bigint FROM saas.invoice_lines l
              WHERE l.tenant_id = i.tenant_id AND l.invoice_id = i.id) AS lines
       FROM saas.invoices i WHERE i.status <> 'draft'`,
  );
  for (const inv of invoices) {
    const usage = await query(
      `SELECT meter, (CASE WHEN meter = 'storage_bytes' THEN max(value) ELSE sum(value) END)::bigint AS q
         FROM saas.usage_events WHERE tenant_id = $1 AND occurred_at >= $2 AND occurred_at < $3
        GROUP BY meter`,
      [inv.tenant_id, inv.period_start, inv.period_end],
    );
    const expected = price(
      String(inv.plan),
      Object.fromEntries(usage.map((u) => [String(u.meter), Number(u.q)])),
    );
    if (Number(inv.total) !== expected || Number(inv.lines) !== expected) {
      problems.push(
        `invoice ${String(inv.id)}: total ${String(inv.total)}, lines ${String(inv.lines)}, raw usage prices at ${expected}`,
      );
    }
  }
  return problems;
}
