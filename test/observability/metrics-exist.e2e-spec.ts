import { createTestApp, eventually, settled, type TestApp } from '@app/testing';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { checkout, newProduct } from '../commerce/helpers.js';
import { vaultCard } from '../payments/helpers.js';

/**
 * Every metric an alert rule (deploy/prometheus/alerts.yml) or a dashboard panel
 * (deploy/grafana/dashboards/*.json) names is one the server exposes on /metrics — so a renamed
 * metric cannot silently leave an alert that never fires or a panel that stays empty.
 */
const PROMQL_WORDS = new Set(
  [
    'sum min max avg count stddev topk bottomk quantile',
    'rate irate increase delta histogram_quantile clamp_min clamp_max',
    'abs absent vector scalar time label_replace by without',
    'on ignoring group_left group_right and or unless offset bool',
  ]
    .join(' ')
    .split(' '),
);

/** Metric names a PromQL expression reads (histogram series mapped to their family). */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // string literals
    .replace(/(?<![\w:])\d[\d.]*(?:e[+-]?\d+)?/gi, '0') // numbers, 1e-9 included
    .replace(/\{[^}]*\}/g, '') // label matchers
    .replace(/\[[^\]]*\]/g, '') // range selectors
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ''); // label lists
  const names = new Set<string>();
  for (const m of stripped.matchAll(/[a-zA-Z_:][\w:]*/g)) {
    const word = m[0];
    const after = stripped.slice(m.index + word.length).trimStart();
    if (PROMQL_WORDS.has(word) || after.startsWith('(')) continue;
    names.add(word.replace(/_(bucket|count|sum)$/, ''));
  }
  return [...names];
}

function alertExprs(): { where: string; expr: string }[] {
  const doc = parse(readFileSync('deploy/prometheus/alerts.yml', 'utf8')) as {
    groups: { name: string; rules: { alert: string; expr: string }[] }[];
  };
  return doc.groups.flatMap((g) =>
    g.rules.map((r) => ({ where: `alert ${r.alert}`, expr: String(r.expr) })),
  );
}

function panelExprs(): { where: string; expr: string }[] {
  const dashboard = JSON.parse(
    readFileSync('deploy/grafana/dashboards/five-businesses.json', 'utf8'),
  ) as { panels: { title: string; targets?: { expr: string }[] }[] };
  return dashboard.panels.flatMap((p) =>
    (p.targets ?? []).map((t) => ({ where: `panel "${p.title}"`, expr: t.expr })),
  );
}

/** Debian's `prometheus` package ships promtool; the check runs only where it is installed. */
const promtool = spawnSync('promtool', ['--version']).status === 0;

describe('observability: alerts and dashboards name real metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { PAYMENTS_POLL_INTERVAL_MS: '100' } });
  });
  afterAll(() => t?.close());

  it('parses PromQL metric names', () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le, route) (rate(http_request_duration_seconds_bucket{status=~"5.."}[5m]))) / clamp_min(sum(outbox_lag_seconds), 1e-9) > 0.02',
      ).sort(),
    ).toEqual(['http_request_duration_seconds', 'outbox_lag_seconds']);
  });

  it('every metric of every alert rule and dashboard panel is on /metrics', async () => {
    // A little traffic: a request, a 404, an order through the whole choreography.
    const admin = await t.newUser({ roles: ['customer', 'admin'] });
    const buyer = await t.newUser();
    const card = await vaultCard(t, buyer);
    const product = await newProduct(t, admin, { price: 900, stock: 3 });
    const placed = await checkout(t, buyer, card.token, [{ productId: product.id, quantity: 1 }]);
    expect(placed.statusCode).toBe(202);
    const orderId: string = placed.json().id;
    // Confirmed, and its e-mail sent by the delivery job (jobs_completed_total).
    await eventually(
      async () => {
        const [{ n }] = await t.dataSource.query(
          `SELECT count(*)::int AS n FROM notifications.notifications
            WHERE status = 'sent' AND channel = 'email' AND title LIKE $1`,
          [`%${orderId}%`],
        );
        expect(n).toBe(1);
      },
      { timeout: 20_000 },
    );
    await t.get('/v1/commerce/orders/00000000-0000-7000-8000-000000000000', {
      token: buyer.accessToken,
    });
    await settled(t);

    const res = await t.get('/metrics');
    expect(res.statusCode).toBe(200);
    const declared = new Set([...res.body.matchAll(/^# TYPE (\S+) \S+$/gm)].map((m) => m[1]!));
    const uses = [...alertExprs(), ...panelExprs()];
    expect(uses.length).toBeGreaterThan(20);
    const missing = uses.flatMap(({ where, expr }) =>
      metricNames(expr)
        .filter((name) => !declared.has(name))
        .map((name) => `${where}: ${name}`),
    );
    expect(missing).toEqual([]);
    // The operational gauges carry samples, not only declarations.
    for (const line of [
      /^outbox_undispatched \d+$/m,
      /^inbox_backlog\{consumer="payments.charge-order"\} \d+$/m,
      /^inbox_oldest_pending_seconds\{consumer="payments.charge-order"\} [\d.e-]+$/m,
      /^deliveries_parked\{consumer="payments.charge-order"\} 0$/m,
      /^pg_pool_connections\{state="total"\} \d+$/m,
      /^event_loop_utilization_ratio [\d.e-]+$/m,
      /^app_info\{service="[^"]+",contexts="[^"]+"\} 1$/m,
      /^jobs_completed_total\{queue="notifications.deliver"\} [1-9]\d*$/m,
      /^orders_total\{outcome="confirmed",reason=""\} 1$/m,
      /^order_confirm_latency_seconds_count 1$/m,
      /^fraud_verdicts_total\{verdict="allow"\} [1-9]\d*$/m,
    ])
      expect(res.body).toMatch(line);
  });

  it('/metrics is not in the public API document', async () => {
    const doc = (await t.get('/docs/openapi.json')).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).not.toContain('/metrics');
  });

  it.skipIf(!promtool)('promtool accepts the scrape config and the alert rules', () => {
    const out = execFileSync('promtool', ['check', 'config', 'deploy/prometheus/prometheus.yml'], {
      encoding: 'utf8',
    });
    expect(out).toMatch(/SUCCESS: \d+ rules found/);
  });
});
