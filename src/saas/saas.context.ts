import { defineContext } from '@app/platform';
import { SaasSchema1796500000000 } from './migrations/1796500000000-SaasSchema.js';
import { SaasTenantData1796500000100 } from './migrations/1796500000100-SaasTenantData.js';
import { SaasConfig } from './saas.config.js';
import { SAAS_ERRORS } from './saas.error.js';
import { SaasModule } from './saas.module.js';

/**
 * Multi-tenant B2B SaaS: tenants (pool or silo), members, the core service (projects and
 * tasks), usage metering, hourly rollups and invoices. Schema `saas`, Redis `saas:`.
 */
export const saasContext = defineContext({
  name: 'saas',
  description:
    'Tenants with pool (row-level security) or silo (own database) isolation, members, projects and tasks, usage metering and invoices',
  config: SaasConfig,
  entities: [],
  migrations: [SaasSchema1796500000000, SaasTenantData1796500000100],
  errors: SAAS_ERRORS,
  module: SaasModule,
});
