import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsIn,
  IsObject,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
  ValidateBy,
} from 'class-validator';
import { ContextSchema, OptionalField } from '@app/platform';
import { PLAN_KEYS, PLANS, type PlanKey } from '../plans.js';
import type { MemberRole, TenantRow } from './tenant.entity.js';

const EXAMPLE_ID = '0194f3a2-7c1e-7b40-9a8e-3f1c2d4b5a69';
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
/** Subdomain-safe: lower-case letters, digits and inner hyphens, 3–40 characters. */
export const SLUG = /^[a-z0-9](?:[a-z0-9-]{1,38})[a-z0-9]$/;
const FEATURE_KEY = /^[a-z][a-z0-9_]{0,39}$/;

/** Feature flags: at most 50, keys snake_case, values booleans. */
const IsFeatureFlags = () =>
  ValidateBy({
    name: 'isFeatureFlags',
    validator: {
      validate: (v: unknown) =>
        typeof v === 'object' &&
        v !== null &&
        !Array.isArray(v) &&
        Object.keys(v).length <= 50 &&
        Object.entries(v).every(([k, x]) => FEATURE_KEY.test(k) && typeof x === 'boolean'),
      defaultMessage: () => 'features must map up to 50 snake_case keys to true or false',
    },
  });

@ContextSchema('saas')
export class CreateTenantRequest {
  @ApiProperty({ example: 'Acme Corporation', minLength: 1, maxLength: 100 })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  @ApiProperty({
    example: 'acme',
    pattern: SLUG.source,
    minLength: 3,
    maxLength: 40,
    description: 'Its subdomain (`acme.<base host>`): lower-case letters, digits and hyphens',
  })
  @IsString()
  @Matches(SLUG)
  slug: string;

  @ApiPropertyOptional({
    enum: PLAN_KEYS,
    default: 'free',
    description: '`free` or `pro` for anyone; `enterprise` is given by administrators',
  })
  @OptionalField()
  @IsIn(PLAN_KEYS)
  plan?: PlanKey;

  @ApiPropertyOptional({
    enum: ['pool', 'silo'],
    description:
      'Where its data lives: `pool` (shared tables under row-level security) or `silo` (its own database; administrators only). Default: the plan’s (`silo` for enterprise)',
  })
  @OptionalField()
  @IsIn(['pool', 'silo'])
  isolation?: 'pool' | 'silo';

  @ApiPropertyOptional({
    format: 'uuid',
    example: EXAMPLE_ID,
    description: 'Administrators: the user who owns it (default: you)',
  })
  @OptionalField()
  @IsUUID()
  ownerId?: string;
}

@ContextSchema('saas')
export class UpdateTenantRequest {
  @ApiPropertyOptional({ example: 'Acme Inc.', minLength: 1, maxLength: 100 })
  @OptionalField()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({
    enum: PLAN_KEYS,
    description: 'Owners move between `free` and `pro`; administrators to and from `enterprise`',
  })
  @OptionalField()
  @IsIn(PLAN_KEYS)
  plan?: PlanKey;

  @ApiPropertyOptional({
    enum: ['active', 'suspended'],
    description: 'Administrators only: a suspended tenant’s every request is 403',
  })
  @OptionalField()
  @IsIn(['active', 'suspended'])
  status?: 'active' | 'suspended';

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'boolean' },
    example: { beta_reports: true },
    description: 'Feature flags to set (merged into the current ones)',
  })
  @OptionalField()
  @IsObject()
  @IsFeatureFlags()
  features?: Record<string, boolean>;

  @ApiPropertyOptional({
    example: 'tok_4f9a2c7e1b3d5f7a9c0e2b4d',
    pattern: '^tok_[A-Za-z0-9_-]{20,64}$',
    maxLength: 68,
    description:
      'Owners: the vaulted card (`POST /v1/payments/cards`, yours) invoices are charged to',
  })
  @OptionalField()
  @IsString()
  @Matches(/^tok_[A-Za-z0-9_-]{20,64}$/)
  billingCardToken?: string;
}

@ContextSchema('saas')
export class TenantLimitsView {
  @ApiProperty({ example: 100 }) requestsPerMinute: number;
  @ApiProperty({ type: Number, nullable: true, example: 10000 }) apiCallsPerMonth: number | null;
}

@ContextSchema('saas')
export class TenantView {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID }) id: string;
  @ApiProperty({ example: 'Acme Corporation' }) name: string;
  @ApiProperty({ example: 'acme' }) slug: string;
  @ApiProperty({ enum: PLAN_KEYS, example: 'pro' }) plan: PlanKey;
  @ApiProperty({ enum: ['pool', 'silo'], example: 'pool' }) isolation: 'pool' | 'silo';
  @ApiProperty({ enum: ['active', 'suspended'], example: 'active' }) status: string;
  @ApiProperty({ type: String, nullable: true, example: null }) suspendedReason: string | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'boolean' }, example: {} })
  features: Record<string, boolean>;
  @ApiProperty({ type: TenantLimitsView }) limits: TenantLimitsView;
  @ApiProperty({
    type: String,
    nullable: true,
    enum: ['owner', 'admin', 'member', null],
    example: 'owner',
    description: 'Your role in it (null for administrators who are not members)',
  })
  role: MemberRole | null;
  @ApiProperty({ example: true, description: 'Whether a card for invoices is on file' })
  hasBillingCard: boolean;
  @ApiProperty({ example: '2026-12-01T10:00:00.000Z' }) createdAt: string;
}

@ContextSchema('saas')
export class TenantList {
  @ApiProperty({ type: [TenantView] }) items: TenantView[];
}

@ContextSchema('saas')
export class SwitchTenantView {
  @ApiProperty({
    example: 'eyJhbGciOiJIUzI1NiJ9.eyJ0aWQiOiIwMTk0In0.c2lnbmF0dXJl',
    description:
      'An access token scoped to the tenant (its `tid` claim); use it as the bearer token',
  })
  accessToken: string;
  @ApiProperty({ example: 900, description: 'Seconds until it expires' }) expiresIn: number;
  @ApiProperty({ type: TenantView }) tenant: TenantView;
}

export function toTenantView(row: TenantRow, role: MemberRole | null): TenantView {
  const plan = PLANS[row.plan];
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    plan: row.plan,
    isolation: row.isolation,
    status: row.status,
    suspendedReason: row.suspended_reason,
    features: row.features,
    limits: {
      requestsPerMinute: plan.requestsPerMinute,
      apiCallsPerMonth: plan.apiCallsPerMonth,
    },
    role,
    hasBillingCard: row.billing_card_token !== null,
    createdAt: new Date(row.created_at).toISOString(),
  };
}
