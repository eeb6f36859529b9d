import { AppConfig, MAINTENANCE_QUEUE } from '@app/platform';
import { createTestApp, eventually, settled, type TestApp } from '@app/testing';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { checkout, newProduct } from '../commerce/helpers.js';
import { vaultCard } from '../payments/helpers.js';
import { markContactsVerified } from '../notifications/helpers.js';

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

/** The samples of a Prometheus text exposition: name, labels (any order) and value. */
function samples(body: string): { name: string; labels: Record<string, string>; value: number }[] {
  return body
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [, name, labels, value] = /^([\w:]+)(?:\{(.*)\})? (\S+)$/.exec(line)!;
      return {
        name: name!,
        labels: Object.fromEntries(
          [...(labels ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
        ),
        value: Number(value),
      };
    });
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
        'histogram_quantile(0.95, sum by (le, route) (rate(five_http_request_duration_seconds_bucket{status=~"5.."}[5m]))) / clamp_min(sum(five_outbox_lag_seconds), 1e-9) > 0.02',
      ).sort(),
    ).toEqual(['five_http_request_duration_seconds', 'five_outbox_lag_seconds']);
  });

  it('every metric of every alert rule and dashboard panel is on /metrics', async () => {
    // A little traffic: a request, a 404, an order through the whole choreography.
    const admin = await t.newUser({ roles: ['customer', 'admin'] });
    const buyer = await t.newUser();
    await markContactsVerified(t, buyer);
    const card = await vaultCard(t, buyer);
    const product = await newProduct(t, admin, { price: 900, stock: 3 });
    const placed = await checkout(t, buyer, card.token, [{ productId: product.id, quantity: 1 }]);
    expect(placed.statusCode).toBe(202);
    const orderId: string = placed.json().id;
    // Confirmed, and its e-mail sent by the delivery job (five_jobs_completed_total).
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
    // The other worker (platform maintenance) runs a job too: every worker's jobs are counted.
    const maintenance = t.resolve<Queue>(getQueueToken(MAINTENANCE_QUEUE));
    const purge = await maintenance.add('purge', {
      kind: 'purge',
      correlationId: 'test:metrics-exist',
      olderThanHours: 24,
    });
    await eventually(async () => expect(await purge.getState()).toBe('completed'));
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
    // Every family is prefixed, prom-client's process/GC defaults included.
    expect([...declared].filter((name) => !name.startsWith('five_'))).toEqual([]);
    expect(declared).toContain('five_process_cpu_seconds_total');

    // Every series carries `service` (AppConfig.serviceName).
    const service = t.resolve(AppConfig).serviceName;
    const all = samples(res.body);
    expect(all.filter((s) => s.labels.service !== service)).toEqual([]);
    // The operational gauges carry samples, not only declarations; the per-query, per-command
    // and per-job histograms were recorded by the traffic above ('>0': traffic must raise it).
    const expected: [name: string, labels: Record<string, string>, want: 'any' | '>0' | number][] =
      [
        ['five_outbox_undispatched', {}, 'any'],
        ['five_inbox_backlog', { consumer: 'payments.charge-order' }, 'any'],
        ['five_inbox_oldest_pending_seconds', { consumer: 'payments.charge-order' }, 'any'],
        ['five_deliveries_parked', { consumer: 'payments.charge-order' }, 0],
        ['five_pg_pool_connections', { state: 'total' }, '>0'],
        ['five_event_loop_utilization_ratio', {}, 'any'],
        ['five_app_info', { contexts: [...t.resolve(AppConfig).CONTEXTS].join(',') }, 1],
        ['five_orders_total', { outcome: 'confirmed', reason: '' }, 1],
        ['five_order_confirm_latency_seconds_count', {}, 1],
        ['five_fraud_verdicts_total', { verdict: 'allow' }, '>0'],
        // TypeORM's pool, by verb (BEGIN/COMMIT are OTHER).
        ...['SELECT', 'INSERT', 'UPDATE', 'OTHER'].map(
          (operation) =>
            ['five_pg_query_duration_seconds_count', { operation }, '>0'] as (typeof expected)[0],
        ),
        // The platform client (rate limiter: eval; idempotency: set) and the contexts' (get).
        ...['eval', 'set', 'get'].map(
          (command) =>
            [
              'five_redis_command_duration_seconds_count',
              { command },
              '>0',
            ] as (typeof expected)[0],
        ),
        ...['notifications.deliver', MAINTENANCE_QUEUE].flatMap((queue): (typeof expected)[0][] => [
          ['five_jobs_completed_total', { queue }, '>0'],
          ['five_job_duration_seconds_count', { queue, outcome: 'completed' }, '>0'],
        ]),
      ];
    const wrong = expected.flatMap(([name, labels, want]) => {
      const value = all.find(
        (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
      )?.value;
      const ok =
        value !== undefined && (want === 'any' || (want === '>0' ? value > 0 : value === want));
      return ok ? [] : [`${name}${JSON.stringify(labels)}: want ${want}, got ${value}`];
    });
    expect(wrong).toEqual([]);
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
