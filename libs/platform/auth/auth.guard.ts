import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PlatformError } from '../http/app-error.js';
import { RequestContext } from '../http/request-context.js';
import { RouteMemo } from '../http/route-memo.js';
import { AccessTokens, type Role, type TokenRejection } from './access-tokens.js';
import { IS_PUBLIC, REQUIRED_ROLES } from './auth.decorators.js';

function rejection({ error }: TokenRejection): PlatformError {
  switch (error) {
    case 'expired':
      return new PlatformError('platform.unauthorized', 401, 'The access token has expired.');
    case 'invalid':
      return new PlatformError('platform.unauthorized', 401, 'The access token is invalid.');
    case 'revoked':
      return new PlatformError(
        'platform.session_revoked',
        401,
        'The session of this access token has ended; log in again.',
      );
    case 'unavailable':
      // Fail closed: an unchecked token could belong to a session that was just ended.
      return new PlatformError(
        'platform.unavailable',
        503,
        'Sessions cannot be checked right now; retry shortly.',
      );
  }
}

/**
 * Global guard: every route needs a valid bearer token unless marked `@Public()`; `@Roles()`
 * narrows it further. A token whose session was ended is refused (401 `platform.session_revoked`),
 * and so is one that cannot be checked (503). Object-level checks (is this order yours?) belong
 * in the handlers.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: AccessTokens,
    private readonly context: RequestContext,
  ) {}

  /** Each route's `@Public()` and `@Roles()`, read once. */
  private readonly rules = new RouteMemo<{ public: boolean; roles?: Role[] }>();

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const rule = this.ruleOf(ctx);
    if (rule.public) return true;

    const request = ctx.switchToHttp().getRequest();
    const header: unknown = request.headers?.authorization;
    const match = typeof header === 'string' ? /^Bearer ([^\s]+)$/i.exec(header) : null;
    if (!match) {
      throw new PlatformError('platform.unauthorized', 401, 'A bearer access token is required.');
    }
    const result = await this.tokens.verify(match[1]!);
    if ('error' in result) throw rejection(result);
    request.principal = result;
    this.context.set('userId', result.userId);
    // The token's tenant claim enters the context only through TenantGuard, once checked.

    const required = rule.roles;
    if (required?.length && !required.some((r) => result.roles.includes(r))) {
      throw new PlatformError(
        'platform.forbidden',
        403,
        `This action requires the ${required.join(' or ')} role.`,
      );
    }
    return true;
  }

  private ruleOf(ctx: ExecutionContext): { public: boolean; roles?: Role[] } {
    return this.rules.get(ctx, () => {
      const targets = [ctx.getHandler(), ctx.getClass()];
      return {
        public: this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) === true,
        roles: this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets),
      };
    });
  }
}
