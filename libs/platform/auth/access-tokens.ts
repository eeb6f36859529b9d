import { Inject, Injectable, Optional } from '@nestjs/common';
import { errors, jwtVerify, SignJWT } from 'jose';
import { v7 as uuidv7 } from 'uuid';
import { AppConfig } from '../config/app-config.js';

/** A role name. The platform knows only `admin`; each context declares its own (descriptor `roles`). */
export type Role = string;
/** The platform's one role: operators (messaging administration) and every context's admin routes. */
export const ADMIN_ROLE = 'admin';
/** DI token: every role some context declares, plus ADMIN_ROLE (tokens keep only these). */
export const KNOWN_ROLES = Symbol('KNOWN_ROLES');

/** The authenticated caller, as every guarded route sees it. */
export interface Principal {
  userId: string;
  roles: Role[];
  tenantId?: string;
}

const ISSUER = 'five-businesses/identity';
const AUDIENCE = 'five-businesses/api';

/**
 * Short-lived access tokens: HS256 JWTs signed with JWT_SECRET. Verification pins the
 * algorithm, issuer and audience, so `alg: none` and tokens for another audience are refused.
 * Identity issues them; the global guard verifies them.
 */
@Injectable()
export class AccessTokens {
  private readonly key: Uint8Array;
  private readonly roles: ReadonlySet<Role>;

  constructor(
    private readonly config: AppConfig,
    @Optional() @Inject(KNOWN_ROLES) roles: readonly Role[] = [ADMIN_ROLE],
  ) {
    this.key = new TextEncoder().encode(config.JWT_SECRET);
    this.roles = new Set(roles);
  }

  get ttlSeconds(): number {
    return this.config.JWT_ACCESS_TTL_SECONDS;
  }

  async sign(principal: Principal, ttlSeconds = this.ttlSeconds): Promise<string> {
    return new SignJWT({
      roles: principal.roles,
      ...(principal.tenantId ? { tid: principal.tenantId } : {}),
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(principal.userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setJti(uuidv7())
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
      .sign(this.key);
  }

  /** Returns the principal, or a reason the token is not acceptable. */
  async verify(token: string): Promise<Principal | { error: 'expired' | 'invalid' }> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      const roles = Array.isArray(payload.roles)
        ? payload.roles.filter((r): r is Role => typeof r === 'string' && this.roles.has(r))
        : [];
      return {
        userId: payload.sub!,
        roles,
        ...(typeof payload.tid === 'string' ? { tenantId: payload.tid } : {}),
      };
    } catch (err) {
      return { error: err instanceof errors.JWTExpired ? 'expired' : 'invalid' };
    }
  }
}
