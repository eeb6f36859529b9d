import { Controller, Get, Headers } from '@nestjs/common';
import { IQueryHandler, Query, QueryBus, QueryHandler } from '@nestjs/cqrs';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  ApiProblems,
  ContextSchema,
  PlatformError,
  PLATFORM_ERRORS,
  Public,
  Tenancy,
} from '@app/platform';
import { DataSource } from 'typeorm';
import type { TenantRow } from './tenant.entity.js';

@ContextSchema('saas')
export class HostTenantView {
  @ApiProperty({ format: 'uuid', example: '0194f3a2-7c1e-7b40-9a8e-3f1c2d4b5a69' }) id: string;
  @ApiProperty({ example: 'Acme Corporation' }) name: string;
  @ApiProperty({ example: 'acme' }) slug: string;
  @ApiProperty({ enum: ['active', 'suspended'], example: 'active' }) status: string;
}

export class GetHostTenant extends Query<HostTenantView> {
  constructor(readonly host: string | undefined) {
    super();
  }
}

/** The tenant whose subdomain the request came to; 404 when the host names none. */
@QueryHandler(GetHostTenant)
export class GetHostTenantHandler implements IQueryHandler<GetHostTenant> {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tenancy: Tenancy,
  ) {}

  async execute({ host }: GetHostTenant): Promise<HostTenantView> {
    const base = this.tenancy.baseHost;
    const name = (host ?? '').replace(/:\d+$/, '').toLowerCase();
    const slug = base && name.endsWith(`.${base}`) ? name.slice(0, -base.length - 1) : undefined;
    const [row] = slug
      ? await this.db.query<TenantRow[]>(`SELECT * FROM saas.tenants WHERE slug = $1`, [slug])
      : [];
    if (!row) {
      throw new PlatformError('platform.tenant_not_found', 404, 'This host names no tenant.');
    }
    return { id: row.id, name: row.name, slug: row.slug, status: row.status };
  }
}

/**
 * Tenant resolution before login (twenty's workspace by origin): a login page served at
 * `acme.<base host>` asks which tenant it is for, to show its name, before anyone is signed in.
 */
@ApiTags('saas')
@Controller('v1/saas')
export class HostTenantController {
  constructor(private readonly queries: QueryBus) {}

  @Get('host-tenant')
  @Public()
  @ApiOperation({
    summary: 'The tenant this host’s subdomain names (before login)',
    description:
      'Public. For a login page at `<slug>.<base host>` (SAAS_BASE_HOST): the tenant’s id, name and status. A host that names no tenant → 404.',
  })
  @ApiHeader({
    name: 'Host',
    required: false,
    description: 'Set by the browser: `acme.saas.localhost`',
    schema: { type: 'string', maxLength: 253 },
  })
  @ApiOkResponse({ type: HostTenantView })
  @ApiProblems(PLATFORM_ERRORS, ['platform.tenant_not_found'])
  getHostTenant(@Headers('host') host: string | undefined): Promise<HostTenantView> {
    return this.queries.execute(new GetHostTenant(host));
  }
}
