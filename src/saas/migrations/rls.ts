import type { QueryRunner } from 'typeorm';
import { TENANT_ROLE, TENANT_SETTING } from '@app/platform';

/**
 * Row-level security on a tenant table (AWS's RLS sample, with its gaps closed): ENABLE and
 * FORCE (the owner is bound too), one policy for reads and writes on the transaction's
 * `app.tenant_id`, read without `missing_ok` and cast to uuid, so a transaction that set no
 * tenant raises instead of matching nothing or everything. `(SELECT …)` makes it an initPlan:
 * evaluated once per statement, not per row.
 *
 * `service: true` adds a second policy for the tables' owner (the migrating user): billing's
 * jobs and the directory work across tenants as the owner. Tenant data tables (projects, …)
 * have no such policy: only a tenant transaction, as its tenant, reads or writes them.
 */
export async function tenantTable(
  q: QueryRunner,
  table: string,
  grants: string,
  options: { service?: boolean } = {},
): Promise<void> {
  await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
  await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
  await q.query(`CREATE POLICY tenant_isolation ON ${table}
      USING (tenant_id = (SELECT current_setting('${TENANT_SETTING}')::uuid))
      WITH CHECK (tenant_id = (SELECT current_setting('${TENANT_SETTING}')::uuid))`);
  if (options.service) {
    await q.query(`DO $$ BEGIN
        EXECUTE format('CREATE POLICY service ON ${table} TO %I USING (true) WITH CHECK (true)', current_user);
      END $$`);
  }
  await q.query(`GRANT ${grants} ON ${table} TO ${TENANT_ROLE}`);
}
