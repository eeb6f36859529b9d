import {
  Command,
  CommandHandler,
  ICommandHandler,
  IQueryHandler,
  Query,
  QueryHandler,
} from '@nestjs/cqrs';
import {
  Tenancy,
  TenantTransactions,
  Transactions,
  type CurrentTenantInfo,
  type Principal,
} from '@app/platform';
import { SaasError } from '../saas.error.js';
import { TenantAccess } from '../tenants/tenant-access.js';
import type { MemberRole, MemberRow } from '../tenants/tenant.entity.js';
import { toMemberView, type MemberList, type MemberView } from './members.dto.js';

export class ListMembers extends Query<MemberList> {
  constructor(readonly tenant: CurrentTenantInfo) {
    super();
  }
}

/** The tenant's members, read under its RLS (a tenant transaction). */
@QueryHandler(ListMembers)
export class ListMembersHandler implements IQueryHandler<ListMembers> {
  constructor(private readonly tenantTx: TenantTransactions) {}

  execute(): Promise<MemberList> {
    return this.tenantTx.run(
      async ({ manager }) => {
        const rows = await manager.query<MemberRow[]>(
          `SELECT * FROM saas.members ORDER BY joined_at, user_id LIMIT 1000`,
        );
        return { items: rows.map(toMemberView) };
      },
      { on: 'platform' },
    );
  }
}

export class ChangeMemberRole extends Command<MemberView> {
  constructor(
    readonly tenant: CurrentTenantInfo,
    readonly userId: string,
    readonly role: MemberRole,
  ) {
    super();
  }
}

/** Owners and admins change roles; only an owner makes or unmakes an owner; one owner stays. */
@CommandHandler(ChangeMemberRole)
export class ChangeMemberRoleHandler implements ICommandHandler<ChangeMemberRole> {
  constructor(
    private readonly transactions: Transactions,
    private readonly access: TenantAccess,
    private readonly tenancy: Tenancy,
  ) {}

  async execute({ tenant, userId, role }: ChangeMemberRole): Promise<MemberView> {
    this.access.requireManager(tenant.role);
    const row = await this.transactions.run(async ({ manager }) => {
      const members = await manager.query<MemberRow[]>(
        `SELECT * FROM saas.members WHERE tenant_id = $1 ORDER BY user_id FOR UPDATE`,
        [tenant.id],
      );
      const target = members.find((m) => m.user_id === userId);
      if (!target) throw new SaasError('saas.member_not_found', `${userId} is not a member.`);
      if ((role === 'owner' || target.role === 'owner') && tenant.role !== 'owner') {
        throw new SaasError('saas.not_tenant_admin', 'Only an owner makes or unmakes owners.', {
          role: tenant.role,
        });
      }
      if (
        target.role === 'owner' &&
        role !== 'owner' &&
        !members.some((m) => m.role === 'owner' && m.user_id !== userId)
      ) {
        throw new SaasError('saas.last_owner', 'The tenant would be left without an owner.');
      }
      const [[updated]] = await manager.query<[MemberRow[], number]>(
        `UPDATE saas.members SET role = $3 WHERE tenant_id = $1 AND user_id = $2 RETURNING *`,
        [tenant.id, userId, role],
      );
      return updated!;
    });
    this.tenancy.forget(tenant.id);
    return toMemberView(row);
  }
}

export class RemoveMember extends Command<void> {
  constructor(
    readonly caller: Principal,
    readonly tenant: CurrentTenantInfo,
    readonly userId: string,
  ) {
    super();
  }
}

/** Owners and admins remove members (only owners remove owners); anyone may leave. */
@CommandHandler(RemoveMember)
export class RemoveMemberHandler implements ICommandHandler<RemoveMember> {
  constructor(
    private readonly transactions: Transactions,
    private readonly access: TenantAccess,
    private readonly tenancy: Tenancy,
  ) {}

  async execute({ caller, tenant, userId }: RemoveMember): Promise<void> {
    if (userId !== caller.userId) this.access.requireManager(tenant.role);
    await this.transactions.run(async ({ manager }) => {
      const members = await manager.query<MemberRow[]>(
        `SELECT * FROM saas.members WHERE tenant_id = $1 ORDER BY user_id FOR UPDATE`,
        [tenant.id],
      );
      const target = members.find((m) => m.user_id === userId);
      if (!target) throw new SaasError('saas.member_not_found', `${userId} is not a member.`);
      if (target.role === 'owner' && tenant.role !== 'owner') {
        throw new SaasError('saas.not_tenant_admin', 'Only an owner removes an owner.', {
          role: tenant.role,
        });
      }
      if (
        target.role === 'owner' &&
        !members.some((m) => m.role === 'owner' && m.user_id !== userId)
      ) {
        throw new SaasError('saas.last_owner', 'The tenant would be left without an owner.');
      }
      await manager.query(`DELETE FROM saas.members WHERE tenant_id = $1 AND user_id = $2`, [
        tenant.id,
        userId,
      ]);
    });
    this.tenancy.forget(tenant.id);
  }
}
