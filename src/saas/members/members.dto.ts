import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, MaxLength } from 'class-validator';
import { ContextSchema } from '@app/platform';
import type { InvitationRow, MemberRole, MemberRow } from '../tenants/tenant.entity.js';

const EXAMPLE_ID = '0194f3a2-7c1e-7b40-9a8e-3f1c2d4b5a69';
const iso = (d: Date) => new Date(d).toISOString();

@ContextSchema('saas')
export class ChangeRoleRequest {
  @ApiProperty({ enum: ['owner', 'admin', 'member'], example: 'admin' })
  @IsIn(['owner', 'admin', 'member'])
  role: MemberRole;
}

@ContextSchema('saas')
export class InviteRequest {
  @ApiProperty({ example: 'dana@example.com', maxLength: 254 })
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim().toLowerCase() : value,
  )
  @MaxLength(254)
  @IsEmail()
  email: string;

  @ApiProperty({ enum: ['admin', 'member'], example: 'member' })
  @IsIn(['admin', 'member'])
  role: 'admin' | 'member';
}

@ContextSchema('saas')
export class MemberView {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID }) userId: string;
  @ApiProperty({ enum: ['owner', 'admin', 'member'], example: 'member' }) role: MemberRole;
  @ApiProperty({ type: String, nullable: true, example: 'dana@example.com' }) email: string | null;
  @ApiProperty({ example: '2026-12-01T10:00:00.000Z' }) joinedAt: string;
}

@ContextSchema('saas')
export class MemberList {
  @ApiProperty({ type: [MemberView] }) items: MemberView[];
}

@ContextSchema('saas')
export class InvitationView {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID }) id: string;
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID }) tenantId: string;
  @ApiProperty({ example: 'dana@example.com' }) email: string;
  @ApiProperty({ enum: ['admin', 'member'], example: 'member' }) role: string;
  @ApiProperty({ enum: ['pending', 'accepted', 'revoked'], example: 'pending' }) status: string;
  @ApiProperty({ example: '2026-12-08T10:00:00.000Z' }) expiresAt: string;
  @ApiProperty({ example: '2026-12-01T10:00:00.000Z' }) createdAt: string;
}

@ContextSchema('saas')
export class InvitationList {
  @ApiProperty({ type: [InvitationView] }) items: InvitationView[];
}

export const toMemberView = (r: MemberRow): MemberView => ({
  userId: r.user_id,
  role: r.role,
  email: r.email,
  joinedAt: iso(r.joined_at),
});

export const toInvitationView = (r: InvitationRow): InvitationView => ({
  id: r.id,
  tenantId: r.tenant_id,
  email: r.email,
  role: r.role,
  status: r.status,
  expiresAt: iso(r.expires_at),
  createdAt: iso(r.created_at),
});
