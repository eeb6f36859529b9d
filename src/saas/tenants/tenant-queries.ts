import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Principal } from '@app/platform';
import { DataSource } from 'typeorm';
import { TenantAccess } from './tenant-access.js';
import type { MemberRole, TenantRow } from './tenant.entity.js';
import { toTenantView, type TenantList, type TenantView } from './tenants.dto.js';

export class GetTenant extends Query<TenantView> {
  constructor(
    readonly caller: Principal,
    readonly tenantId: string,
  ) {
    super();
  }
}

@QueryHandler(GetTenant)
export class GetTenantHandler implements IQueryHandler<GetTenant> {
  constructor(private readonly access: TenantAccess) {}

  async execute({ caller, tenantId }: GetTenant): Promise<TenantView> {
    const { tenant, role } = await this.access.visible(caller, tenantId);
    return toTenantView(tenant, role);
  }
}

export class ListMyTenants extends Query<TenantList> {
  constructor(readonly caller: Principal) {
    super();
  }
}

/** The tenants the caller is a member of, oldest membership first (at most 100). */
@QueryHandler(ListMyTenants)
export class ListMyTenantsHandler implements IQueryHandler<ListMyTenants> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ caller }: ListMyTenants): Promise<TenantList> {
    const rows = await this.db.query<(TenantRow & { member_role: MemberRole })[]>(
      `SELECT t.*, m.role AS member_role FROM saas.members m
         JOIN saas.tenants t ON t.id = m.tenant_id
        WHERE m.user_id = $1 ORDER BY m.joined_at, t.id LIMIT 100`,
      [caller.userId],
    );
    return { items: rows.map((r) => toTenantView(r, r.member_role)) };
  }
}
