import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PlatformError } from '../http/app-error.js';
import { RequestContext } from '../http/request-context.js';
import { AccessTokens, type Role } from './access-tokens.js';
import { IS_PUBLIC, REQUIRED_ROLES } from './auth.decorators.js';

/**
 * Global guard: every route needs a valid bearer token unless marked `@Public()`; `@Roles()`
 * narrows it further. Object-level checks (is this order yours?) belong in the handlers.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: AccessTokens,
    private readonly context: RequestContext,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const request = ctx.switchToHttp().getRequest();
    const header: unknown = request.headers?.authorization;
    const match = typeof header === 'string' ? /^Bearer ([^\s]+)$/i.exec(header) : null;
    if (!match) {
      throw new PlatformError('platform.unauthorized', 401, 'A bearer access token is required.');
    }
    const result = await this.tokens.verify(match[1]!);
    if ('error' in result) {
      throw new PlatformError(
        'platform.unauthorized',
        401,
        result.error === 'expired'
          ? 'The access token has expired.'
          : 'The access token is invalid.',
      );
    }
    request.principal = result;
    this.context.set('userId', result.userId);
    if (result.tenantId) this.context.set('tenantId', result.tenantId);

    const required = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets);
    if (required?.length && !required.some((r) => result.roles.includes(r))) {
      throw new PlatformError(
        'platform.forbidden',
        403,
        `This action requires the ${required.join(' or ')} role.`,
      );
    }
    return true;
  }
}
