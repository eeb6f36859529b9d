import { Body, Controller, Get, Header, HttpCode, Patch, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ApiProblems,
  Authenticated,
  CurrentUser,
  ADMIN_ROLE,
  PLATFORM_ERRORS,
  Roles,
  type Principal,
  UuidParam,
} from '@app/platform';
import { SAAS_ERRORS } from '../saas.error.js';
import { PromoteTenant } from './promote-tenant.js';
import { CreateTenant, SwitchTenant, UpdateTenant } from './tenant-commands.js';
import { GetTenant, ListMyTenants } from './tenant-queries.js';
import {
  CreateTenantRequest,
  SwitchTenantView,
  TenantList,
  TenantView,
  UpdateTenantRequest,
} from './tenants.dto.js';

const CREATE = `A tenant: an organisation with its members, its projects, its usage and its \
invoices. You become its owner. \`free\` and \`pro\` tenants are **pool** tenants: their rows \
live in the shared tables, under row-level security. Administrators also create \`enterprise\` \
tenants, which are **silo** tenants by default: their projects and tasks get their own \
PostgreSQL database, created and migrated before this answers.

The slug is the tenant's subdomain: requests to \`<slug>.<base host>\` resolve it.`;

const SWITCH = `An access token scoped to this tenant (its \`tid\` claim): tenant routes \
(\`/v1/saas/projects\`, \`/v1/saas/usage\`, …) then act in it without an \`X-Tenant-ID\` header. \
It belongs to your current session, so logging out ends it too. Members only (404 otherwise, \
as for a tenant that does not exist); a suspended tenant → 403.`;

const PROMOTE = `Pool → silo: the tenant gets its own PostgreSQL database with all its rows, under \
the same ids. While its rows are copied its requests wait (none fails, none is lost), then they \
run on the new database. Takes about the tenant cache's time (SAAS_TENANT_CACHE_MS) plus the \
copy. A tenant already moving or already a silo → 409.`;

/** Tenants: create, list, read, change, switch into, promote. */
@ApiTags('saas')
@Controller('v1/saas/tenants')
@Authenticated()
export class TenantsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a tenant (you become its owner)', description: CREATE })
  @ApiCreatedResponse({ type: TenantView })
  @ApiProblems(SAAS_ERRORS, ['saas.slug_taken', 'saas.plan_not_allowed'], { validated: true })
  createTenant(
    @CurrentUser() user: Principal,
    @Body() body: CreateTenantRequest,
  ): Promise<TenantView> {
    return this.commands.execute(new CreateTenant(user, body));
  }

  @Get()
  @ApiOperation({
    summary: 'The tenants you are a member of',
    description: 'At most 100, oldest membership first, with your role in each.',
  })
  @ApiOkResponse({ type: TenantList })
  @ApiProblems(SAAS_ERRORS, [])
  listTenants(@CurrentUser() user: Principal): Promise<TenantList> {
    return this.queries.execute(new ListMyTenants(user));
  }

  @Get(':id')
  @ApiOperation({
    summary: 'A tenant of yours',
    description: 'Members, and platform administrators, see it; anyone else gets 404.',
  })
  @ApiOkResponse({ type: TenantView })
  @ApiProblems(SAAS_ERRORS, ['saas.tenant_not_found'])
  getTenant(
    @CurrentUser() user: Principal,
    @UuidParam('id', 'The tenant id') id: string,
  ): Promise<TenantView> {
    return this.queries.execute(new GetTenant(user, id));
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change a tenant: name, plan, features, billing card; suspend (administrators)',
    description:
      'Owners and admins of the tenant rename it, set feature flags and the billing card, and move between `free` and `pro`. Platform administrators also give or take `enterprise` and suspend or reactivate it (`status`): a suspended tenant’s every request is 403 `platform.tenant_suspended`.',
  })
  @ApiOkResponse({ type: TenantView })
  @ApiProblems(
    SAAS_ERRORS,
    ['saas.tenant_not_found', 'saas.not_tenant_admin', 'saas.plan_not_allowed'],
    { validated: true },
  )
  updateTenant(
    @CurrentUser() user: Principal,
    @UuidParam('id', 'The tenant id') id: string,
    @Body() body: UpdateTenantRequest,
  ): Promise<TenantView> {
    return this.commands.execute(new UpdateTenant(user, id, body));
  }

  @Post(':id/switch')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'Get an access token scoped to a tenant', description: SWITCH })
  @ApiOkResponse({ type: SwitchTenantView })
  @ApiProblems(SAAS_ERRORS, ['saas.tenant_not_found'])
  @ApiProblems(PLATFORM_ERRORS, ['platform.tenant_suspended'])
  switchTenant(
    @CurrentUser() user: Principal,
    @UuidParam('id', 'The tenant id') id: string,
  ): Promise<SwitchTenantView> {
    return this.commands.execute(new SwitchTenant(user, id));
  }

  @Post(':id/promote')
  @HttpCode(200)
  @Roles(ADMIN_ROLE)
  @ApiOperation({
    summary: 'Move a pool tenant into its own database (administrators)',
    description: PROMOTE,
  })
  @ApiOkResponse({ type: TenantView })
  @ApiProblems(SAAS_ERRORS, ['saas.tenant_not_found', 'saas.tenant_moving'])
  promoteTenant(@UuidParam('id', 'The tenant id') id: string): Promise<TenantView> {
    return this.commands.execute(new PromoteTenant(id));
  }
}
