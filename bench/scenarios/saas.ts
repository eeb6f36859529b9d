import autocannon from 'autocannon';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { APP_URL, type BenchApp } from '../app.js';
import { exec, pgbenchTps, REDIS_URL } from '../env.js';
import type { Measurement, Scenario } from '../harness.js';
import { saasInvariants as check } from '../../libs/testing/saas-invariants.js';
import { PLANS, priceUsage, type PlanKey } from '../../src/saas/plans.js';
import { duration, load } from './http.js';

interface BenchTenant {
  id: string;
  token: string;
}

const TENANTS = 8;
const BATCH = 100;

/** Pro tenants, each owned by a bench customer, with the owner's token switched into it. */
async function tenants(app: BenchApp, n: number, tag: string): Promise<BenchTenant[]> {
  const owners = await app.customers(n);
  return Promise.all(
    owners.map(async (owner, i) => {
      const t = await app.post(
        '/v1/saas/tenants',
        {
          name: `Bench ${tag} ${i}`,
          slug: `bench-${tag}-${i}-${Date.now().toString(36)}`,
          plan: 'pro',
        },
        owner.token,
      );
      const sw = await app.post(`/v1/saas/tenants/${t.id}/switch`, {}, owner.token);
      return { id: t.id as string, token: sw.accessToken as string };
    }),
  );
}

const measure = (r: autocannon.Result, label: string, per = 1): Measurement => {
  if (r.non2xx > 0 || r.errors > 0)
    throw new Error(`${label}: ${r.non2xx} non-2xx and ${r.errors} errors`);
  return { value: r.requests.average * per, notes: { [`${label} p99 ms`]: r.latency.p99 } };
};

async function redisIncr(quick: boolean): Promise<Measurement> {
  const url = new URL(REDIS_URL);
  const out = await exec('redis-benchmark', [
    '-h',
    url.hostname,
    '-p',
    url.port || '6379',
    '-t',
    'incr',
    '-P',
    '16',
    '-n',
    String(quick ? 50_000 : 1_000_000),
    '-q',
    '--dbnum',
    '9',
  ]);
  const m = [...out.matchAll(/INCR: ([\d.]+) requests per second/g)].at(-1);
  if (!m) throw new Error(`no rate in redis-benchmark output: ${out.slice(-300)}`);
  const redis = new Redis(REDIS_URL, { db: 9 });
  await redis.del('counter:__rand_int__');
  redis.disconnect();
  return { value: Number(m[1]) };
}

/** P8a: usage events durably accepted per second, batches of 100 from concurrent tenants. */
export function p8a(app: BenchApp): Scenario {
  let all: BenchTenant[] = [];
  let sent = 0;
  // Across rounds: every batch's event ids are new (a repeat would be a duplicate, counted once).
  let n = 0;
  let runs = 0;
  return {
    id: 'P8a',
    title: 'usage events accepted (durable, batches of 100, 8 tenants)',
    unit: 'events/s',
    better: 'higher',
    model: 'closed',
    target: 0.1,
    setup: async () => {
      all = await tenants(app, TENANTS, 'p8a');
    },
    anchor: { label: 'redis-benchmark -t incr -P 16', run: redisIncr },
    app: {
      label: 'POST /v1/saas/usage',
      run: async (quick) => {
        const r = await load({
          url: APP_URL,
          duration: duration(quick),
          requests: [
            {
              method: 'POST',
              path: '/v1/saas/usage',
              setupRequest: (req) => {
                const i = n++;
                const tenant = all[i % all.length]!;
                const events = Array.from({ length: BATCH }, (_, j) => ({
                  eventId: `b-${i}-${j}`,
                  meter: 'compute_seconds',
                  value: 1,
                }));
                return {
                  ...req,
                  headers: {
                    'content-type': 'application/json',
                    authorization: `Bearer ${tenant.token}`,
                  },
                  body: JSON.stringify({ events }),
                };
              },
            },
          ],
        });
        sent += r.requests.total;
        runs++;
        return measure(r, 'usage', BATCH);
      },
    },
    invariants: async () => {
      const [{ n }] = await app.query(
        `SELECT count(*)::int AS n FROM saas.usage_events WHERE meter = 'compute_seconds' AND tenant_id = ANY($1)`,
        [all.map((t) => t.id)],
      );
      // autocannon counts only completed requests; one in flight on each of its 10 connections when
      // a window ends may still land.
      const stored =
        n >= sent * BATCH && n <= (sent + 10 * runs) * BATCH
          ? []
          : [`${n} usage events stored for ${sent} batches of ${BATCH} accepted`];
      return [...stored, ...(await saasInvariants(app))];
    },
  };
}

/** pgbench over one SQL script on the app's database (8 clients). */
async function pgbenchScript(db: string, script: string, quick: boolean): Promise<number> {
  const file = join(tmpdir(), `p8b-${process.pid}-${Math.random().toString(36).slice(2)}.sql`);
  writeFileSync(file, script);
  const out = await exec('pgbench', [
    '-h',
    '127.0.0.1',
    '-U',
    'postgres',
    '-n',
    '-c',
    '8',
    '-j',
    '2',
    '-T',
    String(duration(quick)),
    '-f',
    file,
    db,
  ]);
  return pgbenchTps(out);
}

/** P8b: a pool tenant's project list over HTTP (RLS on) vs the same query with RLS off, as the owner. */
export function p8b(app: BenchApp): Scenario {
  let tenant: BenchTenant;
  let db = '';
  const query = (where: string) =>
    `SELECT * FROM saas.projects ${where} ORDER BY id DESC LIMIT 21;`;
  return {
    id: 'P8b',
    title: 'GET /v1/saas/projects, pool tenant (RLS on)',
    unit: 'req/s',
    better: 'higher',
    model: 'closed',
    target: 0.9,
    setup: async () => {
      [tenant] = await tenants(app, 1, 'p8b');
      for (let i = 0; i < 50; i++)
        await app.post('/v1/saas/projects', { name: `Project ${i}` }, tenant!.token);
      db = new URL(app.url).pathname.slice(1);
    },
    anchor: {
      label: 'pgbench: the query as the owner, RLS off',
      run: async (quick) => {
        const off = await pgbenchScript(db, query(`WHERE tenant_id = '${tenant.id}'`), quick);
        // The same statements the app runs, at the SQL level: what RLS itself costs.
        const on = await pgbenchScript(
          db,
          `BEGIN;\nSELECT pg_try_advisory_xact_lock_shared(7628142, hashtext('${tenant.id}')), set_config('app.tenant_id', '${tenant.id}', true), set_config('role', 'app_tenant', true);\n${query('')}\nCOMMIT;\n`,
          quick,
        );
        return {
          value: off,
          notes: {
            'SQL, tenant transaction with RLS (tps)': on,
            'SQL, RLS on / off': Number((on / off).toFixed(3)),
          },
        };
      },
    },
    app: {
      label: 'GET /v1/saas/projects',
      run: async (quick) =>
        measure(
          await load({
            url: `${APP_URL}/v1/saas/projects`,
            headers: { authorization: `Bearer ${tenant.token}` },
            duration: duration(quick),
          }),
          'projects',
        ),
    },
    invariants: () => saasInvariants(app),
  };
}

/** P8c: P1's /health/live carrying a tenant (subdomain and header) vs without. */
export function p8c(app: BenchApp): Scenario {
  let tenant: BenchTenant;
  let slug = '';
  return {
    id: 'P8c',
    title: 'GET /health/live with a tenant (subdomain + X-Tenant-ID)',
    unit: 'req/s',
    better: 'higher',
    model: 'closed',
    target: 0.95,
    setup: async () => {
      [tenant] = await tenants(app, 1, 'p8c');
      const [row] = await app.query(`SELECT slug FROM saas.tenants WHERE id = $1`, [tenant!.id]);
      slug = row.slug;
    },
    anchor: {
      label: 'GET /health/live',
      run: async (quick) =>
        measure(await load({ url: `${APP_URL}/health/live`, duration: duration(quick) }), 'plain'),
    },
    app: {
      label: 'with tenant hints',
      run: async (quick) =>
        measure(
          await load({
            url: `${APP_URL}/health/live`,
            headers: { host: `${slug}.saas.localhost`, 'x-tenant-id': tenant.id },
            duration: duration(quick),
          }),
          'tenant',
        ),
    },
    invariants: () => saasInvariants(app),
  };
}

/** After each P8 scenario: rollups and final invoices equal the raw usage (libs/testing). */
export const saasInvariants = (app: BenchApp) =>
  check(
    (text, params) => app.query(text, params),
    (plan, usage) => priceUsage(PLANS[plan as PlanKey], usage).reduce((s, l) => s + l.amount, 0),
  );
