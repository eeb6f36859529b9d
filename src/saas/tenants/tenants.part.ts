import type { SaasPart } from '../saas-part.js';
import { GetHostTenantHandler, HostTenantController } from './host-tenant.js';
import { PromoteTenantHandler } from './promote-tenant.js';
import { SiloMigrations } from './silo-migrations.js';
import { SaasTenantDirectory } from './tenant-directory.js';
import { TenantAccess } from './tenant-access.js';
import {
  CreateTenantHandler,
  SwitchTenantHandler,
  UpdateTenantHandler,
} from './tenant-commands.js';
import { GetTenantHandler, ListMyTenantsHandler } from './tenant-queries.js';
import { TenantsController } from './tenants.controller.js';

/** tenants: the Tenant Config DB, the platform's directory, create / change / switch. */
export const TENANTS_PART: SaasPart = {
  imports: [],
  controllers: [TenantsController, HostTenantController],
  providers: [
    SaasTenantDirectory,
    SiloMigrations,
    TenantAccess,
    CreateTenantHandler,
    UpdateTenantHandler,
    SwitchTenantHandler,
    PromoteTenantHandler,
    GetHostTenantHandler,
    GetTenantHandler,
    ListMyTenantsHandler,
  ],
};
