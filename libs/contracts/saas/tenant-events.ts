import { IntegrationEvent } from '../envelope.js';

export interface TenantCreatedPayload {
  tenantId: string;
  slug: string;
  plan: string;
  isolation: 'pool' | 'silo';
  ownerId: string;
  /** ISO-8601 UTC. */
  createdAt: string;
}

/** A tenant exists (its owner is its first member). */
export class TenantCreated extends IntegrationEvent<TenantCreatedPayload> {
  static override readonly type = 'saas.tenant-created';
  static override readonly version = 1;
}

export interface MemberInvitedPayload {
  tenantId: string;
  tenantName: string;
  invitationId: string;
  /** The registered user with the invited email, or null when nobody has it yet. */
  inviteeId: string | null;
  role: 'admin' | 'member';
  invitedBy: string;
  /** ISO-8601 UTC. */
  expiresAt: string;
}

/**
 * Someone was invited into a tenant. Notifications tells the invitee (when registered); they
 * accept with `POST /v1/saas/invitations/{id}/accept` while logged in with the invited email.
 * No token travels: the invitee's own login is the proof.
 */
export class MemberInvited extends IntegrationEvent<MemberInvitedPayload> {
  static override readonly type = 'saas.member-invited';
  static override readonly version = 1;
}
