import { Tenancy, TENANT_ROLE } from '@app/platform';
import { createTestApp, type TestApp, type TestUser } from '@app/testing';
import { DataSource } from 'typeorm';
import { newProject, newTenant, type TestTenant } from './helpers.js';

/** A direct connection to a silo database (what the test checks the app against). */
async function open(t: TestApp, database: string): Promise<DataSource> {
  const url = new URL(t.database.url);
  url.pathname = `/${database}`;
  return new DataSource({ type: 'postgres', url: url.toString() }).initialize();
}

const count = async (db: DataSource, table: string, tenantId: string) =>
  (await db.query(`SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = $1`, [tenantId]))[0]
    .n as number;

/**
 * Silo isolation: an enterprise tenant's projects and tasks live in its own database (created and
 * migrated when it is provisioned, under the same RLS), nowhere else; boot-time migration of
 * every silo reports a broken one and keeps serving the others; a tenant whose database is gone
 * fails closed; and a pool tenant promoted to a silo keeps every row and every write made while
 * it moved.
 */
describe('saas: silo isolation and promotion', () => {
  let t: TestApp;
  let admin: TestUser;
  let silo: TestTenant;
  let pool: TestTenant;

  beforeAll(async () => {
    t = await createTestApp({ env: { SAAS_TENANT_CACHE_MS: '300' } });
    admin = await t.newUser({ roles: ['customer', 'admin'] });
    silo = await newTenant(t, { plan: 'enterprise', admin });
    pool = await newTenant(t);
  });
  afterAll(() => t?.close());

  it('refuses silo and enterprise tenants to anyone but administrators', async () => {
    const user = await t.newUser();
    const res = await t.post(
      '/v1/saas/tenants',
      { name: 'Big', slug: `big-${Date.now()}`, plan: 'enterprise' },
      { token: user.accessToken },
    );
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('saas.plan_not_allowed');
  });

  it('keeps a silo tenant’s data in its own database only, under the same row-level security', async () => {
    const [tenant] = await t.dataSource.query(
      `SELECT isolation, database FROM saas.tenants WHERE id = $1`,
      [silo.id],
    );
    expect(tenant.isolation).toBe('silo');
    const project = await newProject(t, silo.token);
    const task = await t.post(
      `/v1/saas/projects/${project}/tasks`,
      { title: 'In the silo' },
      { token: silo.token },
    );
    expect(task.statusCode).toBe(201);
    await newProject(t, pool.token);
    const db = await open(t, tenant.database);
    try {
      expect(await count(db, 'saas.projects', silo.id)).toBe(1);
      expect(await count(db, 'saas.tasks', silo.id)).toBe(1);
      expect(await count(db, 'saas.projects', pool.id)).toBe(0);
      expect(await count(t.dataSource, 'saas.projects', silo.id)).toBe(0);
      const forced = await db.query(
        `SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'saas'::regnamespace AND c.relkind = 'r'
            AND NOT (c.relrowsecurity AND c.relforcerowsecurity)`,
      );
      expect(forced).toEqual([]);
      // The tenant role sees nothing there without the tenant set.
      await expect(
        db.transaction(async (m) => {
          await m.query(`SET LOCAL ROLE ${TENANT_ROLE}`);
          await m.query(`SELECT * FROM saas.projects`);
        }),
      ).rejects.toThrow();
    } finally {
      await db.destroy();
    }
    const list = await t.get('/v1/saas/projects', { token: silo.token });
    expect(list.json().items.map((p: { id: string }) => p.id)).toEqual([project]);
    // Its members, usage and invoices stay in the platform database, under the same RLS.
    for (const url of [
      '/v1/saas/members',
      '/v1/saas/usage',
      '/v1/saas/invoices',
      '/v1/saas/invitations',
    ]) {
      const res = await t.get(url, { token: silo.token });
      expect({ url, status: res.statusCode }).toEqual({ url, status: 200 });
    }
    expect((await t.get('/v1/saas/members', { token: silo.token })).json().items).toHaveLength(1);
  });

  it('migrates every silo at boot, reports one that fails and keeps serving the others', async () => {
    const broken = await newTenant(t, { plan: 'enterprise', admin });
    const [{ database }] = await t.dataSource.query(
      `SELECT database FROM saas.tenants WHERE id = $1`,
      [broken.id],
    );
    const tenancy = t.resolve(Tenancy);
    await tenancy.silos.drop(database);
    const report = await tenancy.migrateSilos();
    expect(report.failed.map((f) => f.database)).toEqual([database]);
    expect(report.migrated.length).toBeGreaterThanOrEqual(1);
    // Its requests fail closed; the other silo and the pool still serve.
    const res = await t.get('/v1/saas/projects', { token: broken.token });
    expect(res.statusCode).toBe(503);
    expect(res.json().code).toBe('platform.unavailable');
    expect((await t.get('/v1/saas/projects', { token: silo.token })).statusCode).toBe(200);
    expect((await t.get('/v1/saas/projects', { token: pool.token })).statusCode).toBe(200);
    await t.dataSource.query(`DELETE FROM saas.members WHERE tenant_id = $1`, [broken.id]);
    await t.dataSource.query(`DELETE FROM saas.tenants WHERE id = $1`, [broken.id]);
  });

  it('promotes a pool tenant to a silo without losing a row or a write made during the move', async () => {
    const mover = await newTenant(t, { plan: 'pro' });
    const auth = { token: mover.token };
    const projects: string[] = [];
    for (let i = 0; i < 3; i++) projects.push(await newProject(t, mover.token, `Before ${i}`));
    for (let i = 0; i < 20; i++) {
      expect(
        (await t.post(`/v1/saas/projects/${projects[i % 3]}/tasks`, { title: `Task ${i}` }, auth))
          .statusCode,
      ).toBe(201);
    }
    const promotion = t.post(
      `/v1/saas/tenants/${mover.id}/promote`,
      {},
      { token: admin.accessToken },
    );
    // Writes while it moves: each waits for the move, then lands in the silo.
    const during = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        t.post(`/v1/saas/projects/${projects[0]}/tasks`, { title: `During ${i}` }, auth),
      ),
    );
    const promoted = await promotion;
    expect(promoted.statusCode).toBe(200);
    expect(promoted.json().isolation).toBe('silo');
    expect(during.map((r) => r.statusCode)).toEqual(Array(10).fill(201));
    const after = await t.post(`/v1/saas/projects/${projects[1]}/tasks`, { title: 'After' }, auth);
    expect(after.statusCode).toBe(201);
    const [{ database }] = await t.dataSource.query(
      `SELECT database FROM saas.tenants WHERE id = $1`,
      [mover.id],
    );
    const db = await open(t, database);
    try {
      expect(await count(db, 'saas.projects', mover.id)).toBe(3);
      expect(await count(db, 'saas.tasks', mover.id)).toBe(31);
      const ids = during.map((r) => r.json().id as string);
      const landed = await db.query(`SELECT id FROM saas.tasks WHERE id = ANY($1)`, [ids]);
      expect(landed).toHaveLength(10);
    } finally {
      await db.destroy();
    }
    expect(await count(t.dataSource, 'saas.projects', mover.id)).toBe(0);
    expect(await count(t.dataSource, 'saas.tasks', mover.id)).toBe(0);
    const again = await t.post(
      `/v1/saas/tenants/${mover.id}/promote`,
      {},
      { token: admin.accessToken },
    );
    expect(again.statusCode).toBe(409);
    const list = await t.get(`/v1/saas/projects/${projects[0]}/tasks?limit=100`, auth);
    expect(list.json().items).toHaveLength(1 + 6 + 10);
  });
});
