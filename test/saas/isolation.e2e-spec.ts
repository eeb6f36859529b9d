import { randomUUID } from 'node:crypto';
import { RequestContext, TENANT_ROLE, TenantTransactions } from '@app/platform';
import { createTestApp, type TestApp } from '@app/testing';
import { newProject, newTenant, type TestTenant } from './helpers.js';

/**
 * Pool isolation, checked where it is enforced: the catalog (every tenant table under forced
 * RLS, the tenant role powerless), the policies (no tenant → error; A never reads or writes B's
 * rows), a one-connection pool that serves A and B in turn with a transaction aborted midway,
 * and the HTTP resolution of the tenant (claim, header, subdomain; mismatches fail closed).
 */
describe('saas: pool isolation', () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;

  beforeAll(async () => {
    // One connection: every request and transaction reuses the same PostgreSQL session.
    t = await createTestApp({ env: { DATABASE_POOL_SIZE: '1' } });
    a = await newTenant(t);
    b = await newTenant(t);
  });
  afterAll(() => t?.close());

  it('puts every table with a tenant_id under forced RLS, and the tenant role cannot bypass it', async () => {
    const tables = await t.dataSource.query<
      { name: string; rls: boolean; forced: boolean; owner: string }[]
    >(
      `SELECT c.oid::regclass::text AS name, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced,
              pg_get_userbyid(c.relowner) AS owner
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('platform', 'pg_catalog', 'information_schema')
          AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
        ORDER BY 1`,
    );
    expect(tables.map((r) => r.name)).toEqual(
      expect.arrayContaining([
        'saas.projects',
        'saas.tasks',
        'saas.comments',
        'saas.members',
        'saas.usage_events',
        'saas.invoices',
      ]),
    );
    for (const table of tables) {
      expect({ table: table.name, rls: table.rls, forced: table.forced }).toEqual({
        table: table.name,
        rls: true,
        forced: true,
      });
      expect(table.owner).not.toBe(TENANT_ROLE);
    }
    const [role] = await t.dataSource.query(
      `SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = $1`,
      [TENANT_ROLE],
    );
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false, rolcanlogin: false });
    const owned = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = $1)`,
      [TENANT_ROLE],
    );
    expect(owned[0].n).toBe(0);
  });

  it('scopes every foreign key and unique key of a tenant table by tenant_id', async () => {
    const keys = await t.dataSource.query<
      { name: string; table: string; type: string; has: boolean }[]
    >(
      `SELECT con.conname AS name, con.conrelid::regclass::text AS table, con.contype AS type,
              EXISTS (SELECT 1 FROM unnest(con.conkey) k JOIN pg_attribute a
                        ON a.attrelid = con.conrelid AND a.attnum = k WHERE a.attname = 'tenant_id') AS has
         FROM pg_constraint con
        WHERE con.contype IN ('f', 'u', 'p')
          AND con.connamespace = 'saas'::regnamespace
          AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = con.conrelid AND a.attname = 'tenant_id')`,
    );
    expect(keys.filter((k) => k.type === 'f').length).toBeGreaterThanOrEqual(4);
    expect(keys.filter((k) => !k.has)).toEqual([]);
    const uniqueIndexes = await t.dataSource.query<{ name: string; def: string }[]>(
      `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
         FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
        WHERE i.indisunique AND c.relnamespace = 'saas'::regnamespace
          AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id')`,
    );
    expect(uniqueIndexes.filter((i) => !/\(tenant_id\b/.test(i.def))).toEqual([]);
  });

  it('fails a tenant-role query that set no tenant, even on a session that had one before', async () => {
    const runner = t.dataSource.createQueryRunner();
    await runner.connect();
    try {
      for (const earlier of [false, true]) {
        if (earlier) {
          await runner.query('BEGIN');
          await runner.query(`SELECT set_config('app.tenant_id', $1, true)`, [a.id]);
          await runner.query('COMMIT');
        }
        await runner.query('BEGIN');
        await runner.query(`SET LOCAL ROLE ${TENANT_ROLE}`);
        await expect(runner.query(`SELECT count(*) FROM saas.projects`)).rejects.toThrow(
          /app\.tenant_id|invalid input syntax for type uuid/,
        );
        await runner.query('ROLLBACK');
      }
    } finally {
      await runner.release();
    }
  });

  it('shows tenant A none of B’s rows and refuses A a write into B', async () => {
    const bProject = await newProject(t, b.token);
    await newProject(t, a.token);
    const tenantTx = t.resolve(TenantTransactions);
    const context = t.resolve(RequestContext);
    const asA = <T>(fn: Parameters<TenantTransactions['run']>[0]) =>
      context.run({ tenantId: a.id }, () => tenantTx.run(fn)) as Promise<T>;
    const seen = await asA<{ tenant_id: string }[]>(({ manager }) =>
      manager.query(`SELECT tenant_id FROM saas.projects`),
    );
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((r) => r.tenant_id === a.id)).toBe(true);
    const byId = await asA<unknown[]>(({ manager }) =>
      manager.query(`SELECT * FROM saas.projects WHERE id = $1`, [bProject]),
    );
    expect(byId).toEqual([]);
    await expect(
      asA(({ manager }) =>
        manager.query(
          `INSERT INTO saas.projects (tenant_id, id, name, created_by) VALUES ($1, $2, 'sneaky', $3)`,
          [b.id, randomUUID(), a.owner.id],
        ),
      ),
    ).rejects.toThrow(/row-level security/);
    const [changed] = await asA<[unknown[], number]>(({ manager }) =>
      manager.query(`UPDATE saas.projects SET name = 'hijacked' WHERE id = $1 RETURNING id`, [
        bProject,
      ]),
    );
    expect(changed).toEqual([]);
    const [still] = await t.dataSource.query(`SELECT name FROM saas.projects WHERE id = $1`, [
      bProject,
    ]);
    expect(still.name).not.toBe('hijacked');
  });

  it('leaks nothing through a one-connection pool serving A and B in turn, with an aborted transaction', async () => {
    const tenantTx = t.resolve(TenantTransactions);
    const context = t.resolve(RequestContext);
    for (let i = 0; i < 3; i++) {
      await expect(
        context.run({ tenantId: a.id }, () =>
          tenantTx.run(async ({ manager }) => {
            await manager.query(`SELECT count(*) FROM saas.projects`);
            throw new Error('aborted midway');
          }),
        ),
      ).rejects.toThrow('aborted midway');
      // The same (only) connection, outside any tenant: no tenant, no tenant role left on it.
      const [session] = await t.dataSource.query(
        `SELECT current_user AS "user", current_setting('app.tenant_id', true) AS tenant`,
      );
      expect(session.user).not.toBe(TENANT_ROLE);
      expect(session.tenant ?? '').toBe('');
      const list = await t.get('/v1/saas/projects', { token: b.token });
      expect(list.statusCode).toBe(200);
      const ids = (list.json().items as { id: string }[]).map((p) => p.id);
      const owners = await t.dataSource.query(
        `SELECT DISTINCT tenant_id FROM saas.projects WHERE id = ANY($1)`,
        [ids],
      );
      expect(owners).toEqual([{ tenant_id: b.id }]);
    }
  });

  it('answers another tenant’s ids exactly as ids that do not exist', async () => {
    const aProject = await newProject(t, a.token);
    const foreign = await t.get(`/v1/saas/projects/${aProject}`, { token: b.token });
    const unknown = await t.get(`/v1/saas/projects/${randomUUID()}`, { token: b.token });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().code).toBe('saas.project_not_found');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe(foreign.json().code);
    const patch = await t.request(
      'PATCH',
      `/v1/saas/projects/${aProject}`,
      { name: 'mine now' },
      { token: b.token },
    );
    expect(patch.statusCode).toBe(404);
    const task = await t.post(
      `/v1/saas/projects/${aProject}/tasks`,
      { title: 'x' },
      { token: b.token },
    );
    expect(task.statusCode).toBe(404);
  });

  it('resolves the tenant from the token, the header or the subdomain, and fails closed on a mismatch', async () => {
    const plain = a.owner.accessToken;
    expect((await t.get('/v1/saas/projects', { token: plain })).json().code).toBe(
      'platform.tenant_required',
    );
    const byHeader = await t.get('/v1/saas/projects', {
      token: plain,
      headers: { 'x-tenant-id': a.id },
    });
    expect(byHeader.statusCode).toBe(200);
    const byHost = await t.get('/v1/saas/projects', {
      token: plain,
      headers: { host: `${a.slug}.saas.localhost` },
    });
    expect(byHost.statusCode).toBe(200);
    // Header and token disagree → 403; a tenant you are not in → 404, as an unknown one.
    const clash = await t.get('/v1/saas/projects', {
      token: a.token,
      headers: { 'x-tenant-id': b.id },
    });
    expect(clash.statusCode).toBe(403);
    expect(clash.json().code).toBe('platform.tenant_mismatch');
    const hostClash = await t.get('/v1/saas/projects', {
      token: a.token,
      headers: { host: `${b.slug}.saas.localhost` },
    });
    expect(hostClash.json().code).toBe('platform.tenant_mismatch');
    const notMine = await t.get('/v1/saas/projects', {
      token: plain,
      headers: { 'x-tenant-id': b.id },
    });
    const none = await t.get('/v1/saas/projects', {
      token: plain,
      headers: { 'x-tenant-id': randomUUID() },
    });
    expect([notMine.statusCode, none.statusCode]).toEqual([404, 404]);
    expect(notMine.json().code).toBe(none.json().code);
    expect(notMine.json().detail).toBe(none.json().detail);
    const bad = await t.get('/v1/saas/projects', {
      token: plain,
      headers: { 'x-tenant-id': 'acme' },
    });
    expect(bad.statusCode).toBe(400);
    // Before login, the subdomain alone names the tenant (a login page shows its name).
    const host = await t.get('/v1/saas/host-tenant', {
      headers: { host: `${a.slug}.saas.localhost` },
    });
    expect(host.json()).toMatchObject({ id: a.id, slug: a.slug });
    const nobody = await t.get('/v1/saas/host-tenant', {
      headers: { host: 'nobody.saas.localhost' },
    });
    expect(nobody.statusCode).toBe(404);
  });
});
