/**
 * The PostgreSQL role every tenant transaction switches into (`SET LOCAL ROLE`): NOSUPERUSER,
 * NOBYPASSRLS, owner of nothing, so row-level security binds it (the platform migration creates
 * it). Superusers and table owners without `FORCE` bypass RLS; this role never does.
 */
export const TENANT_ROLE = 'app_tenant';

/** The transaction-local setting RLS policies read: `current_setting('app.tenant_id')`. */
export const TENANT_SETTING = 'app.tenant_id';
