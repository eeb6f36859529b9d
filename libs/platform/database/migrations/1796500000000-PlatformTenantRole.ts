import type { MigrationInterface, QueryRunner } from 'typeorm';
import { TENANT_ROLE } from '../../tenancy/tenant-role.js';

/**
 * The role tenant transactions run under (`SET LOCAL ROLE`): not a superuser, not the owner of
 * any table, no `BYPASSRLS`, cannot log in. Row-level security applies to it, so a tenant
 * transaction sees and writes only its tenant's rows. The migrating user (the tables' owner) is
 * made a member so it may switch into it; roles are server-wide, so a second database on the
 * same server finds it there already. It may add events to the outbox (a tenant's state change
 * and its events commit together) and nothing else of the platform's.
 */
export class PlatformTenantRole1796500000000 implements MigrationInterface {
  name = 'PlatformTenantRole1796500000000';

  async up(q: QueryRunner): Promise<void> {
    await ensureTenantRole(q);
    await q.query(`GRANT USAGE ON SCHEMA platform TO ${TENANT_ROLE}`);
    await q.query(`GRANT INSERT ON platform.outbox TO ${TENANT_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`REVOKE INSERT ON platform.outbox FROM ${TENANT_ROLE}`);
    await q.query(`REVOKE USAGE ON SCHEMA platform FROM ${TENANT_ROLE}`);
  }
}

/** Creates the tenant role if the server lacks it and lets the current user switch into it. */
export async function ensureTenantRole(q: Pick<QueryRunner, 'query'>): Promise<void> {
  // Two databases migrating at once on one server may race to create it: either wins.
  await q.query(`DO $$ BEGIN
      CREATE ROLE ${TENANT_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT NOCREATEDB NOCREATEROLE;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`);
  await q.query(`DO $$ BEGIN
      IF NOT pg_has_role(current_user, '${TENANT_ROLE}', 'MEMBER') THEN
        EXECUTE format('GRANT ${TENANT_ROLE} TO %I', current_user);
      END IF;
    EXCEPTION WHEN unique_violation OR duplicate_object THEN NULL; END $$`);
}
