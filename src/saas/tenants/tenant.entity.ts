import type { PlanKey } from '../plans.js';

/** A row of `saas.tenants` (the Tenant Config DB), read raw. */
export interface TenantRow {
  id: string;
  name: string;
  slug: string;
  plan: PlanKey;
  isolation: 'pool' | 'silo';
  status: 'active' | 'suspended';
  suspended_reason: string | null;
  database: string | null;
  features: Record<string, boolean>;
  owner_id: string;
  billing_card_token: string | null;
  moving: boolean;
  billed_through: Date;
  billing_starts_at: Date;
  created_at: Date;
  updated_at: Date;
}

export type MemberRole = 'owner' | 'admin' | 'member';
export const MEMBER_ROLES: readonly MemberRole[] = ['owner', 'admin', 'member'];

/** A row of `saas.members`. */
export interface MemberRow {
  tenant_id: string;
  user_id: string;
  role: MemberRole;
  email: string | null;
  joined_at: Date;
}

/** A row of `saas.invitations`. */
export interface InvitationRow {
  tenant_id: string;
  id: string;
  email: string;
  role: 'admin' | 'member';
  status: 'pending' | 'accepted' | 'revoked';
  invited_by: string;
  accepted_by: string | null;
  expires_at: Date;
  created_at: Date;
}

/** A silo tenant's database name: `tenant_` and its id's 32 hex digits. */
export const siloDatabaseName = (tenantId: string) => `tenant_${tenantId.replace(/-/g, '')}`;
