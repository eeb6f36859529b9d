import {
  createParamDecorator,
  ExecutionContext,
  SetMetadata,
  applyDecorators,
} from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Principal, Role } from './access-tokens.js';
import { ProblemDoc } from '../http/problem.dto.js';

export const IS_PUBLIC = 'platform:public';
export const REQUIRED_ROLES = 'platform:roles';

/** Opts a route (or controller) out of the global bearer-token guard. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Requires one of the roles; documents the 401/403 answers in OpenAPI. */
export const Roles = (...roles: Role[]) =>
  applyDecorators(
    SetMetadata(REQUIRED_ROLES, roles),
    ApiForbiddenResponse({ description: `Requires role: ${roles.join(' or ')}`, type: ProblemDoc }),
  );

/** Documents that a route needs a bearer token (the guard enforces it regardless). */
export const Authenticated = () =>
  applyDecorators(
    ApiBearerAuth(),
    ApiUnauthorizedResponse({
      description:
        'Missing, expired or invalid access token (`platform.unauthorized`), or its session has ' +
        'ended (`platform.session_revoked`: logged out or revoked)',
      type: ProblemDoc,
    }),
  );

/** The verified caller of a guarded route. */
export const CurrentUser = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal => ctx.switchToHttp().getRequest().principal,
);
