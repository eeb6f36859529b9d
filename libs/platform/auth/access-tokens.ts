import { Inject, Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { errors, jwtVerify, SignJWT } from 'jose';
import { v7 as uuidv7 } from 'uuid';
import { AppConfig } from '../config/app-config.js';
import { PlatformError } from '../http/app-error.js';
import { BoundedMap } from '../memory/bounded-map.js';
import { REDIS, RedisKeys } from '../redis/redis.module.js';

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
  /**
   * The session the token belongs to (`sid`: identity's refresh-token family). Revoking it ends
   * every access token of that session at once. Signing without one gives the token its own.
   */
  sessionId?: string;
}

/** Why a token is refused: `revoked` = its session ended; `unavailable` = could not check. */
export type TokenRejection = { error: 'expired' | 'invalid' | 'revoked' | 'unavailable' };

const ISSUER = 'five-businesses/identity';
const AUDIENCE = 'five-businesses/api';

/** Tokens whose signature a process remembers having checked (≈ 0.5 KiB each). */
const VERIFIED_MAX = 10_000;

/** A token whose signature and claims were checked. */
interface Verified {
  principal: Principal & { sessionId: string };
  /** `iat`, seconds. */
  issuedAt: number;
  /** `exp`, ms: from then on jose calls it expired. */
  expiresAt: number;
}

/** Clock skew between instances a deny-list entry outlives the token lifetime by. */
const REVOCATION_MARGIN_SECONDS = 30;

/**
 * Short-lived access tokens: HS256 JWTs signed with JWT_SECRET. Verification pins the
 * algorithm, issuer and audience, so `alg: none` and tokens for another audience are refused.
 * Identity issues them; the global guard verifies them.
 *
 * Revocation: every token carries a session id (`sid`). Ending a session puts its id in a
 * deny-list in Redis (`platform:revoked-session:<sid>`) for as long as a token can live, and
 * `verify` refuses tokens whose session is there: one MGET per verification, on the shared
 * auto-pipelined connection. If Redis cannot answer, `verify` fails closed (`unavailable`).
 *
 * A deny-list that Redis lost (restarted empty, flushed) would let revoked tokens back in, so
 * it has a start: `platform:revocations-since` (ms), set when the first process boots. When a
 * verification finds it missing, the list is known to be incomplete: the key is set to now and
 * every token issued before it is refused as `revoked` — clients refresh (refresh tokens and
 * their revocations live in PostgreSQL, so an ended session stays ended) instead of a logged-out
 * token working again. A token issued in the second before the new start is still accepted
 * (`iat` has whole seconds).
 */
@Injectable()
export class AccessTokens implements OnModuleInit {
  /**
   * The HMAC key, imported into WebCrypto once: given raw bytes, jose imports them again on every
   * sign and verify (≈ 6 % of an authenticated request's CPU in issue 15's transfer profile).
   */
  private readonly key: Promise<CryptoKey>;
  private readonly roles: ReadonlySet<Role>;
  private readonly revokedPrefix: string;
  private readonly sinceKey: string;
  private readonly verified = new BoundedMap<string, Verified>(VERIFIED_MAX);

  constructor(
    private readonly config: AppConfig,
    @Optional() @Inject(KNOWN_ROLES) roles: readonly Role[] = [ADMIN_ROLE],
    // Always there in the app; absent only in tools that just sign (the benchmark's seeding).
    @Optional() @Inject(REDIS) private readonly redis?: Redis,
  ) {
    this.key = crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(config.JWT_SECRET),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    );
    this.roles = new Set(roles);
    const keys = new RedisKeys(config).for('platform');
    this.revokedPrefix = keys.key('revoked-session', '');
    this.sinceKey = keys.key('revocations-since');
  }

  /** The deny-list starts complete with the first process (a no-op once it is set). */
  async onModuleInit(): Promise<void> {
    // Redis away at boot: the first verification sets it instead (and refuses until it can).
    await this.redis
      ?.set(this.sinceKey, String(Date.now()), 'NX')
      .catch((err: unknown) =>
        new Logger(AccessTokens.name).warn(
          { err: String(err) },
          'could not mark the start of the session deny-list; the first verification will',
        ),
      );
  }

  get ttlSeconds(): number {
    return this.config.JWT_ACCESS_TTL_SECONDS;
  }

  async sign(principal: Principal, ttlSeconds = this.ttlSeconds): Promise<string> {
    return new SignJWT({
      roles: principal.roles,
      ...(principal.tenantId ? { tid: principal.tenantId } : {}),
      sid: principal.sessionId ?? uuidv7(),
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(principal.userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setJti(uuidv7())
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
      .sign(await this.key);
  }

  /** Returns the principal, or a reason the token is not acceptable. */
  async verify(token: string): Promise<Principal | TokenRejection> {
    const claims = await this.claims(token);
    if ('error' in claims) return claims;
    const { principal, issuedAt } = claims;
    try {
      const [revoked, since] = await this.client().mget(
        this.revokedPrefix + principal.sessionId,
        this.sinceKey,
      );
      if (revoked !== null) return { error: 'revoked' };
      let start = Number(since);
      if (since === null) {
        // Redis lost the deny-list: it is complete only from now on.
        await this.client().set(this.sinceKey, String(Date.now()), 'NX');
        start = Number(await this.client().get(this.sinceKey));
      }
      if ((issuedAt + 1) * 1000 <= start) return { error: 'revoked' };
    } catch {
      return { error: 'unavailable' };
    }
    return { ...principal, roles: [...principal.roles] };
  }

  /**
   * The token's signature and claims, checked once per token and process: a client sends the
   * same token with every request until it expires, and the HMAC through WebCrypto was ≈ 4 % of
   * a transfer's CPU (issue 15's profile). Expiry is checked on every use; revocation is not
   * cached (`verify` asks Redis every time).
   */
  private async claims(token: string): Promise<Verified | TokenRejection> {
    const known = this.verified.get(token);
    if (known && known.expiresAt > Date.now()) return known;
    if (known) this.verified.delete(token);
    let verified: Verified;
    try {
      const { payload } = await jwtVerify(token, await this.key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        // No sid, no way to revoke it: refused (tokens from before sids existed → refresh).
        requiredClaims: ['sub', 'exp', 'iat', 'sid'],
      });
      if (typeof payload.sid !== 'string') return { error: 'invalid' };
      const roles = Array.isArray(payload.roles)
        ? payload.roles.filter((r): r is Role => typeof r === 'string' && this.roles.has(r))
        : [];
      verified = {
        principal: {
          userId: payload.sub!,
          roles,
          ...(typeof payload.tid === 'string' ? { tenantId: payload.tid } : {}),
          sessionId: payload.sid,
        },
        issuedAt: payload.iat!,
        expiresAt: payload.exp! * 1000,
      };
    } catch (err) {
      return { error: err instanceof errors.JWTExpired ? 'expired' : 'invalid' };
    }
    this.verified.set(token, verified);
    return verified;
  }

  /**
   * Ends every access token of a session (logout, refresh-token reuse). Call it inside the
   * transaction that revokes the session's refresh tokens: if Redis cannot take it, the
   * revocation rolls back and the caller gets 503 instead of a session that half survives.
   */
  async revokeSession(sessionId: string): Promise<void> {
    try {
      await this.client().set(
        this.revokedPrefix + sessionId,
        '1',
        'EX',
        this.config.JWT_ACCESS_TTL_SECONDS + REVOCATION_MARGIN_SECONDS,
      );
    } catch {
      throw new PlatformError(
        'platform.unavailable',
        503,
        'The session could not be ended right now; retry shortly.',
      );
    }
  }

  private client(): Redis {
    if (!this.redis) throw new Error('AccessTokens was built without Redis: it can only sign');
    return this.redis;
  }
}
