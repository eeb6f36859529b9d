import type { SaasPart } from '../saas-part.js';
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
  controllers: [TenantsController],
  providers: [
    SaasTenantDirectory,
    TenantAccess,
    CreateTenantHandler,
    UpdateTenantHandler,
    SwitchTenantHandler,
    GetTenantHandler,
    ListMyTenantsHandler,
  ],
};
