import { Body, Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  ApiProblems,
  Authenticated,
  CurrentTenant,
  CurrentUser,
  TenantScoped,
  UuidParam,
  type CurrentTenantInfo,
  type Principal,
} from '@app/platform';
import { SAAS_ERRORS } from '../saas.error.js';
import {
  AcceptInvitation,
  InviteMember,
  ListMyInvitations,
  ListTenantInvitations,
  RevokeInvitation,
} from './invitation-handlers.js';
import { ChangeMemberRole, ListMembers, RemoveMember } from './member-handlers.js';
import {
  ChangeRoleRequest,
  InvitationList,
  InvitationView,
  InviteRequest,
  MemberList,
  MemberView,
} from './members.dto.js';

/** The current tenant's members and invitations. */
@ApiTags('saas')
@Controller('v1/saas')
@Authenticated()
export class MembersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get('members')
  @TenantScoped()
  @ApiOperation({
    summary: 'The current tenant’s members',
    description: 'Any member of the current tenant sees them, with their roles and emails.',
  })
  @ApiOkResponse({ type: MemberList })
  @ApiProblems(SAAS_ERRORS, [])
  listMembers(@CurrentTenant() tenant: CurrentTenantInfo): Promise<MemberList> {
    return this.queries.execute(new ListMembers(tenant));
  }

  @Patch('members/:userId')
  @TenantScoped()
  @ApiOperation({
    summary: 'Change a member’s role',
    description:
      'Owners and admins; only an owner makes or unmakes an owner, and the last owner stays one (409 `saas.last_owner`).',
  })
  @ApiOkResponse({ type: MemberView })
  @ApiProblems(SAAS_ERRORS, ['saas.not_tenant_admin', 'saas.member_not_found', 'saas.last_owner'], {
    validated: true,
  })
  changeMemberRole(
    @CurrentTenant() tenant: CurrentTenantInfo,
    @UuidParam('userId', 'The member’s user id') userId: string,
    @Body() body: ChangeRoleRequest,
  ): Promise<MemberView> {
    return this.commands.execute(new ChangeMemberRole(tenant, userId, body.role));
  }

  @Delete('members/:userId')
  @TenantScoped()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Remove a member (or leave)',
    description:
      'Owners and admins remove members (owners only owners); anyone may remove themselves. The last owner stays.',
  })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiProblems(SAAS_ERRORS, ['saas.not_tenant_admin', 'saas.member_not_found', 'saas.last_owner'])
  removeMember(
    @CurrentUser() user: Principal,
    @CurrentTenant() tenant: CurrentTenantInfo,
    @UuidParam('userId', 'The member’s user id') userId: string,
  ): Promise<void> {
    return this.commands.execute(new RemoveMember(user, tenant, userId));
  }

  @Post('invitations')
  @TenantScoped()
  @ApiOperation({
    summary: 'Invite someone into the current tenant by email',
    description:
      'Owners and admins. Valid for 7 days; the invitee is notified (when registered) and accepts with `POST /v1/saas/invitations/{id}/accept`, logged in with that email. One pending invitation per email.',
  })
  @ApiCreatedResponse({ type: InvitationView })
  @ApiProblems(
    SAAS_ERRORS,
    ['saas.not_tenant_admin', 'saas.already_member', 'saas.invitation_pending'],
    { validated: true },
  )
  inviteMember(
    @CurrentUser() user: Principal,
    @CurrentTenant() tenant: CurrentTenantInfo,
    @Body() body: InviteRequest,
  ): Promise<InvitationView> {
    return this.commands.execute(new InviteMember(user, tenant, body));
  }

  @Get('invitations')
  @TenantScoped()
  @ApiOperation({
    summary: 'The current tenant’s pending invitations',
    description: 'Pending and unexpired, newest first (at most 100); any member sees them.',
  })
  @ApiOkResponse({ type: InvitationList })
  @ApiProblems(SAAS_ERRORS, [])
  listTenantInvitations(@CurrentTenant() tenant: CurrentTenantInfo): Promise<InvitationList> {
    return this.queries.execute(new ListTenantInvitations(tenant));
  }

  @Delete('invitations/:id')
  @TenantScoped()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Revoke a pending invitation',
    description: 'Owners and admins; a used, revoked or unknown invitation → 404.',
  })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiProblems(SAAS_ERRORS, ['saas.not_tenant_admin', 'saas.invitation_not_found'])
  revokeInvitation(
    @CurrentTenant() tenant: CurrentTenantInfo,
    @UuidParam('id', 'The invitation id') id: string,
  ): Promise<void> {
    return this.commands.execute(new RevokeInvitation(tenant, id));
  }

  @Get('me/invitations')
  @ApiOperation({
    summary: 'Invitations to your email',
    description:
      'Invitations to the email you registered with, pending and unexpired, newest first.',
  })
  @ApiOkResponse({ type: InvitationList })
  @ApiProblems(SAAS_ERRORS, [])
  listMyInvitations(@CurrentUser() user: Principal): Promise<InvitationList> {
    return this.queries.execute(new ListMyInvitations(user));
  }

  @Post('invitations/:invitationId/accept')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Accept an invitation to your email',
    description:
      'You join the tenant with the invitation’s role. Anyone else’s invitation, or a used, revoked or expired one → 404.',
  })
  @ApiOkResponse({ type: MemberView })
  @ApiProblems(SAAS_ERRORS, ['saas.invitation_not_found'])
  acceptInvitation(
    @CurrentUser() user: Principal,
    @UuidParam('invitationId', 'The invitation id (to your email)') invitationId: string,
  ): Promise<MemberView> {
    return this.commands.execute(new AcceptInvitation(user, invitationId));
  }
}
