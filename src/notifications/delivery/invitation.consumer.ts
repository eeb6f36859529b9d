import { Injectable } from '@nestjs/common';
import { MemberInvited } from '@app/contracts/saas';
import { Consumes, type IntegrationEventConsumer, type Tx } from '@app/platform';
import { NotificationRouter, routed } from './router.js';

/**
 * saas.member-invited → the invitee, when registered (high: email, push, in-app). The message
 * says where to accept; no token travels in it: the invitee accepts logged in with the email.
 */
@Injectable()
@Consumes(MemberInvited, 'notifications.member-invited')
export class NotifyMemberInvited implements IntegrationEventConsumer<MemberInvited> {
  constructor(private readonly router: NotificationRouter) {}

  async consume(event: MemberInvited, tx: Tx): Promise<void> {
    const p = event.payload;
    if (!p.inviteeId) return;
    await this.router.route(
      tx,
      routed(event, p.inviteeId, {
        priority: 'high',
        title: `You are invited to ${p.tenantName}`,
        body: `Join as ${p.role}: POST /v1/saas/invitations/${p.invitationId}/accept (valid until ${p.expiresAt.slice(0, 10)}).`,
      }),
      event.metadata!.correlationId,
    );
  }
}
