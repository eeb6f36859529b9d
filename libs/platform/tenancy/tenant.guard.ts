import {
  applyDecorators,
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  Injectable,
  UseGuards,
} from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { Principal } from '../auth/access-tokens.js';
import { PlatformError } from '../http/app-error.js';
import { PLATFORM_ERRORS } from '../http/error-catalogue.js';
import { ApiProblems } from '../http/problem-responses.decorator.js';
import { RequestContext } from '../http/request-context.js';
import { ApiCallMeter } from './api-call-meter.js';
import { Tenancy, type TenantRecord } from './tenancy.js';
import { TenantLimits } from './tenant-limits.js';

/** The tenant a tenant-scoped request runs for, and the caller's role in it. */
export interface CurrentTenantInfo {
  id: string;
  slug: string;
  plan: string;
  isolation: TenantRecord['isolation'];
  /** `owner`, `admin` or `member`. */
  role: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const notFound = () =>
  new PlatformError(
    'platform.tenant_not_found',
    404,
    'No such tenant, or you are not one of its members.',
  );

function mismatch(what: string): PlatformError {
  return new PlatformError(
    'platform.tenant_mismatch',
    403,
    `${what} names another tenant than your access token does; switch tenants (POST /v1/saas/tenants/{id}/switch) or drop it.`,
  );
}

/**
 * Resolves the tenant of a tenant-scoped request, in this order: the verified access token's
 * tenant claim (`POST /v1/saas/tenants/{id}/switch`), then the `X-Tenant-ID` header, then the
 * subdomain (`<slug>.<base host>`). Whichever of them are present must agree (403
 * `platform.tenant_mismatch`); a header or subdomain is accepted only for a tenant the caller is
 * a member of, and a tenant that does not exist answers exactly as one the caller is not a
 * member of (404, no oracle). A suspended tenant's every request is 403. Then the plan's rate
 * limit and monthly quota (429), the API call is counted (when answered below 400), and the tenant goes into the request
 * context: events, jobs and logs carry it, and TenantTransactions runs under it.
 */
@Injectable()
export class TenantGuard implements CanActivate {
  constructor(
    private readonly tenancy: Tenancy,
    private readonly limits: TenantLimits,
    private readonly meter: ApiCallMeter,
    private readonly context: RequestContext,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const request = ctx.switchToHttp().getRequest();
    const principal = request.principal as Principal | undefined;
    if (!principal)
      throw new PlatformError('platform.unauthorized', 401, 'A bearer access token is required.');
    const tenant = await this.resolve(request.headers ?? {}, principal);
    const role = await this.tenancy.roleOf(tenant.id, principal.userId);
    if (!role) throw notFound();
    if (tenant.status === 'suspended') {
      throw new PlatformError(
        'platform.tenant_suspended',
        403,
        `Tenant ${tenant.slug} is suspended; its owner should contact the platform's administrators.`,
      );
    }
    const route = `${request.method} ${request.routeOptions?.url ?? request.url}`;
    await this.limits.take(tenant, route);
    // A billable call is one answered below 400 (a refused or failed request costs nothing).
    const reply = ctx.switchToHttp().getResponse();
    const raw = (reply.raw ?? reply) as {
      statusCode: number;
      once(e: string, f: () => void): void;
    };
    raw.once('finish', () => {
      if (raw.statusCode < 400) this.meter.count(tenant.id);
    });
    this.context.set('tenantId', tenant.id);
    const info: CurrentTenantInfo = {
      id: tenant.id,
      slug: tenant.slug,
      plan: tenant.plan,
      isolation: tenant.isolation,
      role,
    };
    request.tenant = info;
    return true;
  }

  private async resolve(
    headers: Record<string, unknown>,
    principal: Principal,
  ): Promise<TenantRecord> {
    const header = headers['x-tenant-id'];
    if (header !== undefined && (typeof header !== 'string' || !UUID.test(header))) {
      throw new PlatformError('platform.validation_failed', 400, 'X-Tenant-ID must be a UUID.', {
        errors: [{ field: 'X-Tenant-ID', messages: ['must be a UUID'] }],
      });
    }
    const slug = this.subdomain(headers.host);
    const claim = principal.tenantId;
    if (claim && header && header.toLowerCase() !== claim) throw mismatch('X-Tenant-ID');
    const id = claim ?? header?.toLowerCase();
    let tenant: TenantRecord | null;
    if (id) tenant = await this.tenancy.find({ id });
    else if (slug) tenant = await this.tenancy.find({ slug });
    else {
      throw new PlatformError(
        'platform.tenant_required',
        400,
        'This route works on one tenant: switch into it (POST /v1/saas/tenants/{id}/switch), or send X-Tenant-ID.',
      );
    }
    if (!tenant) throw notFound();
    if (id && slug && tenant.slug !== slug) throw mismatch('The subdomain');
    return tenant;
  }

  private subdomain(host: unknown): string | undefined {
    const base = this.tenancy.baseHost;
    if (!base || typeof host !== 'string') return undefined;
    const name = host.replace(/:\d+$/, '').toLowerCase();
    if (!name.endsWith(`.${base}`)) return undefined;
    const slug = name.slice(0, -base.length - 1);
    return /^[a-z0-9-]+$/.test(slug) ? slug : undefined;
  }
}

/** The tenant of a `@TenantScoped()` route. */
export const CurrentTenant = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): CurrentTenantInfo => ctx.switchToHttp().getRequest().tenant,
);

/**
 * A route (or controller) that works on one tenant's data: the TenantGuard resolves and checks
 * the tenant, and the document gets the `X-Tenant-ID` header and the tenant problems.
 */
export const TenantScoped = () =>
  applyDecorators(
    UseGuards(TenantGuard),
    ApiHeader({
      name: 'X-Tenant-ID',
      required: false,
      description:
        'The tenant to act in, when the access token is not scoped to one (`POST /v1/saas/tenants/{id}/switch` gives one that is). Must be a tenant you are a member of, and equal the token’s tenant when both are present.',
      schema: { type: 'string', format: 'uuid', minLength: 36, maxLength: 36 },
    }),
    ApiProblems(PLATFORM_ERRORS, [
      'platform.tenant_required',
      'platform.tenant_not_found',
      'platform.tenant_mismatch',
      'platform.tenant_suspended',
      'platform.tenant_rate_limited',
      'platform.tenant_quota_exceeded',
    ]),
  );
