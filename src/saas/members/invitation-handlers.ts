import {
  Command,
  CommandHandler,
  ICommandHandler,
  IQueryHandler,
  Query,
  QueryHandler,
} from '@nestjs/cqrs';
import { MemberInvited } from '@app/contracts/saas';
import {
  isUniqueViolation,
  Tenancy,
  TenantTransactions,
  Transactions,
  type CurrentTenantInfo,
  type Principal,
} from '@app/platform';
import { v7 as uuidv7 } from 'uuid';
import { SaasError } from '../saas.error.js';
import { TenantAccess } from '../tenants/tenant-access.js';
import type { InvitationRow, MemberRow } from '../tenants/tenant.entity.js';
import {
  toInvitationView,
  toMemberView,
  type InvitationList,
  type InvitationView,
  type InviteRequest,
  type MemberView,
} from './members.dto.js';

/** How long an invitation stays acceptable. */
const INVITATION_DAYS = 7;

export class InviteMember extends Command<InvitationView> {
  constructor(
    readonly caller: Principal,
    readonly tenant: CurrentTenantInfo,
    readonly body: InviteRequest,
  ) {
    super();
  }
}

/**
 * An invitation to an email, valid for 7 days; the invitee is told through notifications and
 * accepts while logged in with that email. One pending invitation per email and tenant.
 */
@CommandHandler(InviteMember)
export class InviteMemberHandler implements ICommandHandler<InviteMember> {
  constructor(
    private readonly transactions: Transactions,
    private readonly access: TenantAccess,
  ) {}

  async execute({ caller, tenant, body }: InviteMember): Promise<InvitationView> {
    this.access.requireManager(tenant.role);
    try {
      return await this.transactions.run(async (tx) => {
        const [existing] = await tx.manager.query<{ user_id: string; member: boolean }[]>(
          `SELECT u.user_id, EXISTS (SELECT 1 FROM saas.members m
                    WHERE m.tenant_id = $1 AND m.user_id = u.user_id) AS member
             FROM saas.users u WHERE lower(u.email) = $2 LIMIT 1`,
          [tenant.id, body.email],
        );
        if (existing?.member) {
          throw new SaasError('saas.already_member', `${body.email} is already a member.`);
        }
        const [row] = await tx.manager.query<(InvitationRow & { tenant_name: string })[]>(
          `INSERT INTO saas.invitations (tenant_id, id, email, role, invited_by, expires_at)
           VALUES ($1, $2, $3, $4, $5, now() + make_interval(days => ${INVITATION_DAYS}))
           RETURNING *, (SELECT name FROM saas.tenants WHERE id = $1) AS tenant_name`,
          [tenant.id, uuidv7(), body.email, body.role, caller.userId],
        );
        await tx.publish(
          new MemberInvited({
            tenantId: tenant.id,
            tenantName: row!.tenant_name,
            invitationId: row!.id,
            inviteeId: existing?.user_id ?? null,
            role: body.role,
            invitedBy: caller.userId,
            expiresAt: new Date(row!.expires_at).toISOString(),
          }),
        );
        return toInvitationView(row!);
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new SaasError(
          'saas.invitation_pending',
          `${body.email} already has a pending invitation.`,
        );
      }
      throw err;
    }
  }
}

export class ListTenantInvitations extends Query<InvitationList> {
  constructor(readonly tenant: CurrentTenantInfo) {
    super();
  }
}

/** The tenant's pending invitations, under its RLS. */
@QueryHandler(ListTenantInvitations)
export class ListTenantInvitationsHandler implements IQueryHandler<ListTenantInvitations> {
  constructor(private readonly tenantTx: TenantTransactions) {}

  execute(): Promise<InvitationList> {
    return this.tenantTx.run(
      async ({ manager }) => {
        const rows = await manager.query<InvitationRow[]>(
          `SELECT * FROM saas.invitations WHERE status = 'pending' AND expires_at > now()
          ORDER BY created_at DESC, id LIMIT 100`,
        );
        return { items: rows.map(toInvitationView) };
      },
      { on: 'platform' },
    );
  }
}

export class RevokeInvitation extends Command<void> {
  constructor(
    readonly tenant: CurrentTenantInfo,
    readonly invitationId: string,
  ) {
    super();
  }
}

@CommandHandler(RevokeInvitation)
export class RevokeInvitationHandler implements ICommandHandler<RevokeInvitation> {
  constructor(
    private readonly transactions: Transactions,
    private readonly access: TenantAccess,
  ) {}

  async execute({ tenant, invitationId }: RevokeInvitation): Promise<void> {
    this.access.requireManager(tenant.role);
    const [rows] = await this.transactions.run(({ manager }) =>
      manager.query<[unknown[], number]>(
        `UPDATE saas.invitations SET status = 'revoked'
          WHERE tenant_id = $1 AND id = $2 AND status = 'pending' RETURNING id`,
        [tenant.id, invitationId],
      ),
    );
    if (rows.length === 0) {
      throw new SaasError('saas.invitation_not_found', `No pending invitation ${invitationId}.`);
    }
  }
}

export class ListMyInvitations extends Query<InvitationList> {
  constructor(readonly caller: Principal) {
    super();
  }
}

/** Pending invitations to the caller's email (from identity's registration). */
@QueryHandler(ListMyInvitations)
export class ListMyInvitationsHandler implements IQueryHandler<ListMyInvitations> {
  constructor(private readonly transactions: Transactions) {}

  execute({ caller }: ListMyInvitations): Promise<InvitationList> {
    return this.transactions.run(async ({ manager }) => {
      const rows = await manager.query<InvitationRow[]>(
        `SELECT i.* FROM saas.invitations i JOIN saas.users u ON lower(u.email) = lower(i.email)
          WHERE u.user_id = $1 AND i.status = 'pending' AND i.expires_at > now()
          ORDER BY i.created_at DESC, i.id LIMIT 100`,
        [caller.userId],
      );
      return { items: rows.map(toInvitationView) };
    });
  }
}

export class AcceptInvitation extends Command<MemberView> {
  constructor(
    readonly caller: Principal,
    readonly invitationId: string,
  ) {
    super();
  }
}

/** The invitee (logged in with the invited email) joins with the invitation's role. */
@CommandHandler(AcceptInvitation)
export class AcceptInvitationHandler implements ICommandHandler<AcceptInvitation> {
  constructor(
    private readonly transactions: Transactions,
    private readonly tenancy: Tenancy,
  ) {}

  async execute({ caller, invitationId }: AcceptInvitation): Promise<MemberView> {
    const result = await this.transactions.run(async ({ manager }) => {
      const [invitation] = await manager.query<(InvitationRow & { user_email: string })[]>(
        `SELECT i.*, u.email AS user_email FROM saas.invitations i
           JOIN saas.users u ON lower(u.email) = lower(i.email) AND u.user_id = $2
          WHERE i.id = $1 AND i.status = 'pending' AND i.expires_at > now()
          FOR UPDATE OF i`,
        [invitationId, caller.userId],
      );
      if (!invitation) {
        throw new SaasError(
          'saas.invitation_not_found',
          `No pending invitation ${invitationId} for you.`,
        );
      }
      await manager.query(
        `UPDATE saas.invitations SET status = 'accepted', accepted_by = $3 WHERE tenant_id = $1 AND id = $2`,
        [invitation.tenant_id, invitationId, caller.userId],
      );
      const [member] = await manager.query<MemberRow[]>(
        `INSERT INTO saas.members (tenant_id, user_id, role, email) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, user_id) DO UPDATE SET role = saas.members.role RETURNING *`,
        [invitation.tenant_id, caller.userId, invitation.role, invitation.user_email],
      );
      return member!;
    });
    this.tenancy.forget(result.tenant_id);
    return toMemberView(result);
  }
}
