import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ADMIN_ROLE, PlatformError, type Principal } from '@app/platform';
import { DataSource } from 'typeorm';
import { SaasError } from '../saas.error.js';
import type { MemberRole, TenantRow } from './tenant.entity.js';

/** Who may see and manage a tenant (its members; platform administrators see every tenant). */
@Injectable()
export class TenantAccess {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The tenant and the caller's role in it; 404 for a non-member who is not an administrator. */
  async visible(
    caller: Principal,
    tenantId: string,
  ): Promise<{ tenant: TenantRow; role: MemberRole | null }> {
    const [row] = await this.db.query<(TenantRow & { member_role: MemberRole | null })[]>(
      `SELECT t.*, m.role AS member_role FROM saas.tenants t
         LEFT JOIN saas.members m ON m.tenant_id = t.id AND m.user_id = $2
        WHERE t.id = $1`,
      [tenantId, caller.userId],
    );
    if (!row || (row.member_role === null && !caller.roles.includes(ADMIN_ROLE))) {
      throw new SaasError('saas.tenant_not_found', `No tenant ${tenantId} of yours.`);
    }
    const { member_role: role, ...tenant } = row;
    return { tenant, role };
  }

  /** As `visible`, for members only (administrators too must be members to act in one). */
  async member(
    caller: Principal,
    tenantId: string,
  ): Promise<{ tenant: TenantRow; role: MemberRole }> {
    const { tenant, role } = await this.visible(caller, tenantId);
    if (!role) throw new SaasError('saas.tenant_not_found', `No tenant ${tenantId} of yours.`);
    if (tenant.status === 'suspended') {
      throw new PlatformError(
        'platform.tenant_suspended',
        403,
        `Tenant ${tenant.slug} is suspended; its owner should contact the platform's administrators.`,
      );
    }
    return { tenant, role };
  }

  /** Owners and admins manage a tenant; anyone else → 403 naming their role. */
  requireManager(role: string | null): void {
    if (role !== 'owner' && role !== 'admin') {
      throw new SaasError('saas.not_tenant_admin', 'This needs the tenant’s owner or admin role.', {
        role,
      });
    }
  }
}
