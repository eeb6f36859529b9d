import { readFileSync } from 'node:fs';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { eventually } from '../../libs/testing/eventually.js';
import {
  buildServer,
  destroyFaultLab,
  startPrivatePostgres,
  startPrivateRedis,
  startServer,
  type PrivateServer,
  type ServerProcess,
} from '../../libs/testing/fault-lab.js';
import { saasInvariants } from '../../libs/testing/saas-invariants.js';
import { PLANS, priceUsage, type PlanKey } from '../../src/saas/plans.js';

/**
 * Two closers, one frozen (SIGSTOP) inside its finalizing transaction past its lease: the built
 * server as child processes on private PostgreSQL and Redis. Closer A freezes itself holding the
 * tenant's row; PostgreSQL ends its transaction after the 5 s lease; closer B then finalizes the
 * invoice. A, thawed, finds it final and does nothing: every (tenant, period) is invoiced once and
 * finalized (published) once.
 */
let pgServer: PrivateServer;
let redis: PrivateServer;
let db: pg.Client;
let a: ServerProcess;
/** The closer that keeps running. */
let b: ServerProcess;
let env: Record<string, string> & { DATABASE_URL: string; REDIS_URL: string };

beforeAll(async () => {
  buildServer();
  [pgServer, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
  env = {
    DATABASE_URL: pgServer.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: 'closers:',
    SAAS_BILLING_PERIOD_SECONDS: '2',
    SAAS_INVOICE_GRACE_SECONDS: '0',
    SAAS_BILLING_EVERY_MS: '300',
    OUTBOX_POLL_INTERVAL_MS: '100',
  };
  db = new pg.Client({ connectionString: pgServer.url });
}, 120_000);

afterAll(async () => {
  await db?.end();
  await destroyFaultLab();
});

/**
 * Pro tenants written straight into the tenant config (the closers need nothing else: they
 * invoice every tenant whose period ended), starting their billing now.
 */
async function makeTenants(tag: string, n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, () => uuidv7());
  await db.query(
    `INSERT INTO saas.tenants (id, name, slug, plan, isolation, owner_id, billing_starts_at, billed_through)
     SELECT id, $2 || ' ' || i, $2 || '-' || i || '-' || $3, 'pro', 'pool', $4,
            to_timestamp(floor(extract(epoch FROM now()) / 2) * 2), to_timestamp(floor(extract(epoch FROM now()) / 2) * 2)
       FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, i)`,
    [ids, tag, Date.now().toString(36), uuidv7()],
  );
  return ids;
}

/** `T` (stopped) in /proc/<pid>/stat. */
const stopped = (pid: number) =>
  readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('T');

it('finalizes each invoice once when a closer freezes inside its transaction past its lease', async () => {
  a = await startServer({ ...env, FAULT_FREEZE_AT: 'invoice-finalizing' });
  await db.connect();
  const tenants = await makeTenants('frozen', 3);
  // A's billing job reaches its first finalize and stops itself there, its transaction open.
  await eventually(() => expect(stopped(a.pid)).toBe(true), { timeout: 20_000, interval: 100 });
  const [held] = (
    await db.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'idle in transaction'`,
    )
  ).rows;
  expect(held.n).toBeGreaterThanOrEqual(1);
  // B closes meanwhile: it waits for the frozen transaction's lease to end, then finalizes.
  b = await startServer(env);
  await eventually(
    async () => {
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM saas.invoices WHERE tenant_id = ANY($1) AND status <> 'draft'`,
        [tenants],
      );
      expect(rows[0].n).toBeGreaterThanOrEqual(tenants.length);
    },
    { timeout: 30_000, interval: 250 },
  );
  expect(stopped(a.pid)).toBe(true);
  a.kill('SIGCONT');
  // Let A run its frozen work to its end, and both closers a few more rounds.
  await new Promise((r) => setTimeout(r, 3_000));
  expect(a.hasExited).toBe(false);
  const { rows: twice } = await db.query(
    `SELECT payload->>'invoiceId' AS id, count(*)::int AS n FROM platform.outbox
      WHERE type = 'saas.invoice-finalized' GROUP BY 1 HAVING count(*) <> 1`,
  );
  expect(twice).toEqual([]);
  const { rows: perPeriod } = await db.query(
    `SELECT i.id, i.status, (SELECT count(*)::int FROM platform.outbox o
        WHERE o.type = 'saas.invoice-finalized' AND o.payload->>'invoiceId' = i.id::text) AS published
       FROM saas.invoices i WHERE i.tenant_id = ANY($1) AND i.status <> 'draft'`,
    [tenants],
  );
  expect(perPeriod.length).toBeGreaterThanOrEqual(tenants.length);
  expect(perPeriod.every((r) => r.published === 1)).toBe(true);
}, 120_000);

it('converges when a closer is SIGKILLed inside its finalizing transaction: rollups and invoices equal the raw usage', async () => {
  const tenants = await makeTenants('killed', 2);
  // C freezes at the first invoice it finalizes (any tenant's), then is killed there.
  const c = await startServer({ ...env, FAULT_FREEZE_AT: 'invoice-finalizing' });
  // A and B still close too: the billing tick is one BullMQ job shared by the three, so C gets
  // about one period end in three (a 20 s wait missed every one of them once in a clean-clone
  // run; 60 s leaves ≈ 27 chances). Usually C freezes within seconds.
  await eventually(() => expect(stopped(c.pid)).toBe(true), { timeout: 60_000, interval: 100 });
  c.kill('SIGKILL');
  await c.exited;
  await eventually(
    async () => {
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM saas.invoices WHERE tenant_id = ANY($1) AND status <> 'draft'`,
        [tenants],
      );
      expect(rows[0].n).toBeGreaterThanOrEqual(tenants.length);
    },
    { timeout: 30_000, interval: 250 },
  );
  expect(b.hasExited).toBe(false);
  const problems = await saasInvariants(
    async (text, params) => (await db.query(text, params as unknown[])).rows,
    (plan, usage) => priceUsage(PLANS[plan as PlanKey], usage).reduce((s, l) => s + l.amount, 0),
  );
  expect(problems).toEqual([]);
  const { rows: twice } = await db.query(
    `SELECT payload->>'invoiceId' AS id FROM platform.outbox WHERE type = 'saas.invoice-finalized'
      GROUP BY 1 HAVING count(*) <> 1`,
  );
  expect(twice).toEqual([]);
}, 120_000);
