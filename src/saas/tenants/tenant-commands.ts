import { Logger } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { TenantCreated } from '@app/contracts/saas';
import {
  AccessTokens,
  ADMIN_ROLE,
  isUniqueViolation,
  SiloDatabases,
  Tenancy,
  Transactions,
  type Principal,
} from '@app/platform';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { periodOf } from '../metering/billing-period.js';
import { PLANS } from '../plans.js';
import { SaasConfig } from '../saas.config.js';
import { SaasError } from '../saas.error.js';
import { siloDatabaseName, type TenantRow } from './tenant.entity.js';
import {
  toTenantView,
  type CreateTenantRequest,
  type SwitchTenantView,
  type TenantView,
  type UpdateTenantRequest,
} from './tenants.dto.js';
import { TenantAccess } from './tenant-access.js';

export class CreateTenant extends Command<TenantView> {
  constructor(
    readonly caller: Principal,
    readonly body: CreateTenantRequest,
  ) {
    super();
  }
}

/**
 * A new tenant, its owner its first member. Anyone creates a free or pro pool tenant;
 * administrators also enterprise and silo ones (for another owner with `ownerId`). A silo
 * tenant's database is created and migrated before the tenant exists: a failure leaves no
 * tenant behind (and drops the half-made database).
 */
@CommandHandler(CreateTenant)
export class CreateTenantHandler implements ICommandHandler<CreateTenant> {
  private readonly logger = new Logger(CreateTenantHandler.name);

  constructor(
    private readonly transactions: Transactions,
    private readonly silos: SiloDatabases,
    private readonly config: SaasConfig,
  ) {}

  async execute({ caller, body }: CreateTenant): Promise<TenantView> {
    const admin = caller.roles.includes(ADMIN_ROLE);
    const plan = body.plan ?? 'free';
    const isolation = body.isolation ?? PLANS[plan].isolation;
    if (!admin && (plan === 'enterprise' || isolation === 'silo' || body.ownerId)) {
      throw new SaasError(
        'saas.plan_not_allowed',
        'Only administrators create enterprise or silo tenants, or tenants for someone else.',
      );
    }
    const id = uuidv7();
    const database = isolation === 'silo' ? siloDatabaseName(id) : null;
    const ownerId = body.ownerId ?? caller.userId;
    if (database) await this.silos.create(database);
    try {
      const row = await this.transactions.run(async (tx) => {
        const [tenant] = await tx.manager.query<TenantRow[]>(
          `INSERT INTO saas.tenants (id, name, slug, plan, isolation, database, owner_id, billing_starts_at, billed_through)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING *`,
          [
            id,
            body.name,
            body.slug,
            plan,
            isolation,
            database,
            ownerId,
            periodOf(new Date(), this.config.SAAS_BILLING_PERIOD_SECONDS).start,
          ],
        );
        await tx.manager.query(
          `INSERT INTO saas.members (tenant_id, user_id, role, email)
           SELECT $1, $2, 'owner', (SELECT email FROM saas.users WHERE user_id = $2)`,
          [id, ownerId],
        );
        await tx.publish(
          new TenantCreated({
            tenantId: id,
            slug: body.slug,
            plan,
            isolation,
            ownerId,
            createdAt: new Date(tenant!.created_at).toISOString(),
          }),
        );
        return tenant!;
      });
      return toTenantView(row, 'owner');
    } catch (err) {
      if (database) {
        await this.silos
          .drop(database)
          .catch((e: unknown) =>
            this.logger.error({ database, err: String(e) }, 'could not drop a half-made silo'),
          );
      }
      if (isUniqueViolation(err)) {
        throw new SaasError('saas.slug_taken', `Another tenant has the slug "${body.slug}".`, {
          errors: [{ field: 'slug', messages: ['is taken'] }],
        });
      }
      throw err;
    }
  }
}

export class UpdateTenant extends Command<TenantView> {
  constructor(
    readonly caller: Principal,
    readonly tenantId: string,
    readonly body: UpdateTenantRequest,
  ) {
    super();
  }
}

/**
 * Owners and admins of the tenant rename it, set its features and its billing card, and move it
 * between free and pro. Platform administrators also give or take enterprise and suspend or
 * reactivate it. The change applies to this process at once, to others within the tenant cache.
 */
@CommandHandler(UpdateTenant)
export class UpdateTenantHandler implements ICommandHandler<UpdateTenant> {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: TenantAccess,
    private readonly tenancy: Tenancy,
  ) {}

  async execute({ caller, tenantId, body }: UpdateTenant): Promise<TenantView> {
    const { tenant, role } = await this.access.visible(caller, tenantId);
    const admin = caller.roles.includes(ADMIN_ROLE);
    const planChange = body.plan !== undefined && body.plan !== tenant.plan;
    const enterpriseChange =
      planChange && (body.plan === 'enterprise' || tenant.plan === 'enterprise');
    if (!admin) {
      this.access.requireManager(role);
      if (body.status !== undefined || enterpriseChange) {
        throw new SaasError(
          'saas.plan_not_allowed',
          'Only administrators suspend tenants or give or take the enterprise plan.',
        );
      }
    }
    const [[row]] = await this.db.query<[TenantRow[], number]>(
      `UPDATE saas.tenants SET
          name = COALESCE($2, name),
          plan = COALESCE($3, plan),
          status = COALESCE($4, status),
          suspended_reason = CASE WHEN $4::text IS NULL THEN suspended_reason
                                  WHEN $4 = 'suspended' THEN 'by an administrator' ELSE NULL END,
          features = features || COALESCE($5::jsonb, '{}'),
          billing_card_token = COALESCE($6, billing_card_token),
          updated_at = now()
        WHERE id = $1 RETURNING *`,
      [
        tenantId,
        body.name ?? null,
        body.plan ?? null,
        body.status ?? null,
        body.features ? JSON.stringify(body.features) : null,
        body.billingCardToken ?? null,
      ],
    );
    this.tenancy.forget(tenantId);
    return toTenantView(row!, role);
  }
}

export class SwitchTenant extends Command<SwitchTenantView> {
  constructor(
    readonly caller: Principal,
    readonly tenantId: string,
  ) {
    super();
  }
}

/** An access token scoped to the tenant, for a member; in the same session (logout ends it). */
@CommandHandler(SwitchTenant)
export class SwitchTenantHandler implements ICommandHandler<SwitchTenant> {
  constructor(
    private readonly access: TenantAccess,
    private readonly tokens: AccessTokens,
  ) {}

  async execute({ caller, tenantId }: SwitchTenant): Promise<SwitchTenantView> {
    const { tenant, role } = await this.access.member(caller, tenantId);
    const accessToken = await this.tokens.sign({
      userId: caller.userId,
      roles: caller.roles,
      tenantId,
      ...(caller.sessionId ? { sessionId: caller.sessionId } : {}),
    });
    return {
      accessToken,
      expiresIn: this.tokens.ttlSeconds,
      tenant: toTenantView(tenant, role),
    };
  }
}
