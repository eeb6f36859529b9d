import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { ApiCallMeter } from '@app/platform';
import { createTestApp, type TestApp } from '@app/testing';
import { Invoicing } from '../../src/saas/billing/invoicing.js';
import { UsageIngest } from '../../src/saas/metering/usage-ingest.js';
import { UsageRollups } from '../../src/saas/metering/rollups.js';
import { PLANS, priceUsage } from '../../src/saas/plans.js';
import { newTenant, type TestTenant } from './helpers.js';

const PERIOD_SECONDS = 3;
const GIB = 2 ** 30;

/** Every rollup equals its hour recomputed from the raw events (the invariant). */
async function rollupsMatchRaw(t: TestApp, tenantId: string): Promise<void> {
  const drift = await t.dataSource.query(
    `WITH raw AS (
       SELECT e.tenant_id, e.meter, date_trunc('hour', e.occurred_at, 'UTC') AS hour,
              CASE COALESCE(m.aggregation, CASE e.meter WHEN 'storage_bytes' THEN 'max' ELSE 'sum' END)
                WHEN 'sum' THEN sum(e.value) WHEN 'max' THEN max(e.value) WHEN 'count' THEN count(*)
                ELSE count(DISTINCT e.subject) END AS value
         FROM saas.usage_events e LEFT JOIN saas.meters m ON m.tenant_id = e.tenant_id AND m.key = e.meter
        WHERE e.tenant_id = $1 GROUP BY 1, 2, 3, m.aggregation)
     SELECT * FROM raw FULL JOIN saas.usage_hourly h USING (tenant_id, meter, hour)
      WHERE (h.tenant_id IS NULL OR h.tenant_id = $1) AND raw.value IS DISTINCT FROM h.value`,
    [tenantId],
  );
  expect(drift).toEqual([]);
}

describe('saas: usage metering, rollups and invoices', () => {
  let t: TestApp;
  let a: TestTenant;

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        SAAS_BILLING_PERIOD_SECONDS: String(PERIOD_SECONDS),
        SAAS_INVOICE_GRACE_SECONDS: '1',
        // The test drives the close itself.
        SAAS_BILLING_EVERY_MS: '3600000',
      },
    });
    a = await newTenant(t, { plan: 'pro' });
  });
  afterAll(() => t?.close());

  const send = (tenant: TestTenant, events: object[]) =>
    t.post('/v1/saas/usage', { events }, { token: tenant.token });

  it('stores accepted events before answering 202, counts a duplicate once and judges each event alone', async () => {
    const id = `evt-${randomUUID()}`;
    const now = Date.now();
    const res = await send(a, [
      { eventId: id, meter: 'compute_seconds', value: 30 },
      { eventId: id, meter: 'compute_seconds', value: 30 },
      {
        eventId: `${id}-old`,
        meter: 'compute_seconds',
        value: 1,
        timestamp: new Date(now - 36 * 86_400_000).toISOString(),
      },
      {
        eventId: `${id}-ahead`,
        meter: 'compute_seconds',
        value: 1,
        timestamp: new Date(now + 600_000).toISOString(),
      },
      { eventId: `${id}-meter`, meter: 'no_such_meter' },
      { eventId: `${id}-api`, meter: 'api_calls', value: 1 },
    ]);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ accepted: 1, duplicates: 1, rejected: 4 });
    expect(
      res.json().results.map((r: { reason?: string; status: string }) => r.reason ?? r.status),
    ).toEqual(['accepted', 'duplicate', 'too_old', 'in_future', 'unknown_meter', 'reserved_meter']);
    // Durable before the answer: the row is there, once.
    const rows = await t.dataSource.query(
      `SELECT value FROM saas.usage_events WHERE tenant_id = $1 AND event_id = $2`,
      [a.id, id],
    );
    expect(rows).toEqual([{ value: '30' }]);
    const again = await send(a, [{ eventId: id, meter: 'compute_seconds', value: 30 }]);
    expect(again.json()).toMatchObject({ accepted: 0, duplicates: 1 });
  });

  it('refuses a malformed batch whole with a 400 naming the field', async () => {
    const res = await send(a, [{ eventId: 'x', meter: 'compute_seconds', value: -1 }]);
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(res.json().errors)).toContain('events.0.value');
  });

  it('shares statements between concurrent reports (group commit), each still getting its own answer', async () => {
    const ingest = t.resolve(UsageIngest);
    ingest.batchSizes.length = 0;
    const tenants = [a, await newTenant(t, { plan: 'pro' }), await newTenant(t, { plan: 'pro' })];
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        send(
          tenants[i % 3]!,
          Array.from({ length: 100 }, (_, j) => ({
            eventId: `gc-${i}-${j}`,
            meter: 'compute_seconds',
            value: 1,
          })),
        ),
      ),
    );
    expect(answers.every((r) => r.statusCode === 202 && r.json().accepted === 100)).toBe(true);
    // (The API-call meter's flushes go through the same intake, hence ≥.)
    expect(ingest.batchSizes.reduce((s, n) => s + n, 0)).toBeGreaterThanOrEqual(2_400);
    expect(Math.max(...ingest.batchSizes)).toBeGreaterThan(100);
  });

  it('counts tenant-scoped API calls as api_calls usage', async () => {
    const c = await newTenant(t);
    const meter = t.resolve(ApiCallMeter);
    await meter.flush();
    for (let i = 0; i < 7; i++)
      expect((await t.get('/v1/saas/projects', { token: c.token })).statusCode).toBe(200);
    await meter.flush();
    const [row] = await t.dataSource.query(
      `SELECT sum(value)::int AS n FROM saas.usage_events WHERE tenant_id = $1 AND meter = 'api_calls'`,
      [c.id],
    );
    expect(row.n).toBe(7);
  });

  it('folds usage into hourly rollups equal to the raw events, and a late event reopens its hour', async () => {
    const rollups = t.resolve(UsageRollups);
    const c = await newTenant(t, { plan: 'pro' });
    const at = new Date().toISOString();
    await send(c, [
      { eventId: `early-${randomUUID()}`, meter: 'storage_bytes', value: 5 * GIB, timestamp: at },
    ]);
    await rollups.rollRecent();
    await rollupsMatchRaw(t, c.id);
    // Arrives after its hour was folded: the hour is recomputed.
    await send(c, [
      { eventId: `late-${randomUUID()}`, meter: 'storage_bytes', value: 7 * GIB, timestamp: at },
    ]);
    await rollups.rollRecent();
    await rollupsMatchRaw(t, c.id);
    const [peak] = await t.dataSource.query(
      `SELECT max(value)::text AS v FROM saas.usage_hourly WHERE tenant_id = $1 AND meter = 'storage_bytes'`,
      [c.id],
    );
    expect(peak.v).toBe(String(7 * GIB));
    // Recomputing again changes nothing.
    await rollups.rollRecent();
    await rollupsMatchRaw(t, c.id);
    // Tenant a's API calls are buffered by the meter and flushed on a timer: a flush landing
    // after the fold above would be a raw event no rollup has seen yet (a CI run saw it). Flush
    // them first, so the fold covers everything a sent.
    await t.resolve(ApiCallMeter).flush();
    await rollups.rollRecent();
    await rollupsMatchRaw(t, a.id);
  });

  it('invoices each period exactly once, with totals equal to the priced raw usage (property)', async () => {
    const invoicing = t.resolve(Invoicing);
    const meter = t.resolve(ApiCallMeter);
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            meter: fc.constantFrom('compute_seconds', 'storage_bytes'),
            value: fc.oneof(fc.nat({ max: 5_000 }), fc.nat({ max: 30 * GIB })),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        async (events) => {
          const tenant = await newTenant(t, { plan: 'pro' });
          const res = await send(
            tenant,
            events.map((e, i) => ({ eventId: `p-${i}`, ...e })),
          );
          expect(res.json().accepted).toBe(events.length);
          await meter.flush();
          const [{ start }] = await t.dataSource.query(
            `SELECT billing_starts_at AS start FROM saas.tenants WHERE id = $1`,
            [tenant.id],
          );
          const periodEnd = new Date(start).getTime() + PERIOD_SECONDS * 1000;
          await new Promise((r) => setTimeout(r, Math.max(0, periodEnd + 1_100 - Date.now())));
          // Two closers at once, twice: one draft, then one final.
          await Promise.all([invoicing.close(), invoicing.close()]);
          await Promise.all([invoicing.close(), invoicing.close()]);
          const invoices = await t.dataSource.query(
            `SELECT id, status, total::bigint AS total FROM saas.invoices WHERE tenant_id = $1 AND period_start = $2`,
            [tenant.id, start],
          );
          expect(invoices).toHaveLength(1);
          // Final; no card on file, so past due at once (dunning: test/saas/billing).
          expect(invoices[0].status).toBe('past_due');
          const [{ calls }] = await t.dataSource.query(
            `SELECT COALESCE(sum(value), 0)::bigint AS calls FROM saas.usage_events
              WHERE tenant_id = $1 AND meter = 'api_calls' AND occurred_at >= $2 AND occurred_at < $3`,
            [tenant.id, start, new Date(periodEnd)],
          );
          const usage = {
            api_calls: Number(calls),
            compute_seconds: events
              .filter((e) => e.meter === 'compute_seconds')
              .reduce((s, e) => s + e.value, 0),
            storage_bytes: Math.max(
              0,
              ...events.filter((e) => e.meter === 'storage_bytes').map((e) => e.value),
            ),
          };
          const expected = priceUsage(PLANS.pro, usage).reduce((s, l) => s + l.amount, 0);
          expect(Number(invoices[0].total)).toBe(expected);
          const [{ lines }] = await t.dataSource.query(
            `SELECT COALESCE(sum(amount), 0)::bigint AS lines FROM saas.invoice_lines WHERE tenant_id = $1 AND invoice_id = $2`,
            [tenant.id, invoices[0].id],
          );
          expect(Number(lines)).toBe(expected);
          const finalized = await t.dataSource.query(
            `SELECT count(*)::int AS n FROM platform.outbox WHERE type = 'saas.invoice-finalized' AND payload->>'invoiceId' = $1`,
            [invoices[0].id],
          );
          expect(finalized[0].n).toBe(1);
          // Usage for the invoiced period is refused from now on.
          const late = await send(tenant, [
            {
              eventId: 'too-late',
              meter: 'compute_seconds',
              value: 1,
              timestamp: new Date(periodEnd - 500).toISOString(),
            },
          ]);
          expect(late.json().results[0]).toEqual({
            eventId: 'too-late',
            status: 'rejected',
            reason: 'period_closed',
          });
        },
      ),
      { numRuns: 2 },
    );
    // Each run waits for its tenant’s period to end (3 s) and closes every tenant’s periods: under
    // a loaded full run that took over 120 s (a close scans every tenant; see issue 15 note).
  }, 300_000);

  it('lists invoices and their lines, and renders the signed page for people', async () => {
    const list = await t.get('/v1/saas/invoices', { token: a.token });
    expect(list.statusCode).toBe(200);
    const usage = await t.get('/v1/saas/usage', { token: a.token });
    expect(usage.statusCode).toBe(200);
    expect(usage.json().meters.map((m: { meter: string }) => m.meter)).toEqual(
      expect.arrayContaining(['api_calls', 'storage_bytes', 'compute_seconds']),
    );
    const invoicing = t.resolve(Invoicing);
    await new Promise((r) => setTimeout(r, PERIOD_SECONDS * 1000 + 1_100));
    await invoicing.close();
    await invoicing.close();
    const page = await t.get('/v1/saas/invoices', { token: a.token });
    const first = page.json().items[0];
    expect(first).toBeDefined();
    const detail = await t.get(`/v1/saas/invoices/${first.id}`, { token: a.token });
    expect(detail.statusCode).toBe(200);
    expect(detail.json().lines.reduce((s: number, l: { amount: number }) => s + l.amount, 0)).toBe(
      detail.json().total,
    );
    const html = await t.get(detail.json().htmlUrl);
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.body).toContain(`Invoice ${first.number}`);
    // A character in the middle of the MAC (the last one of 43 carries two unused bits).
    const url = detail.json().htmlUrl as string;
    const at = url.length - 10;
    const tampered = await t.get(
      url.slice(0, at) + (url[at] === 'A' ? 'B' : 'A') + url.slice(at + 1),
    );
    expect(tampered.statusCode).toBe(404);
    // Another tenant's token cannot read it.
    const other = await newTenant(t);
    expect((await t.get(`/v1/saas/invoices/${first.id}`, { token: other.token })).statusCode).toBe(
      404,
    );
  });
});
