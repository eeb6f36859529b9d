import type { SaasPart } from '../saas-part.js';
import {
  AcceptInvitationHandler,
  InviteMemberHandler,
  ListMyInvitationsHandler,
  ListTenantInvitationsHandler,
  RevokeInvitationHandler,
} from './invitation-handlers.js';
import {
  ChangeMemberRoleHandler,
  ListMembersHandler,
  RemoveMemberHandler,
} from './member-handlers.js';
import { MembersController } from './members.controller.js';
import { SaasUsersProjection } from './users.consumer.js';

/** members: roles, invitations, and who has which email. */
export const MEMBERS_PART: SaasPart = {
  imports: [],
  controllers: [MembersController],
  providers: [
    SaasUsersProjection,
    ListMembersHandler,
    ChangeMemberRoleHandler,
    RemoveMemberHandler,
    InviteMemberHandler,
    ListTenantInvitationsHandler,
    RevokeInvitationHandler,
    ListMyInvitationsHandler,
    AcceptInvitationHandler,
  ],
};
