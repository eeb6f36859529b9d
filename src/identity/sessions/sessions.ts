import { Injectable } from '@nestjs/common';
import { AccessTokens, AppConfig, type Role } from '@app/platform';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { IsNull, type EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { RefreshToken, type RevokedReason } from './refresh-token.entity.js';
import type { TokenResponse } from './sessions.dto.js';

/** Refresh tokens are `<id>.<secret>`: the id finds the row, the secret is checked by hash. */
export function parseRefreshToken(token: string): { id: string; secret: string } | undefined {
  const match =
    /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/.exec(
      token,
    );
  return match ? { id: match[1]!, secret: match[2]! } : undefined;
}

export function secretMatches(secret: string, secretHash: string): boolean {
  const a = Buffer.from(sha256(secret));
  const b = Buffer.from(secretHash);
  return a.length === b.length && timingSafeEqual(a, b);
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('base64url');
}

/**
 * Serialises everything that touches one session family (rotation, logout, reuse detection):
 * without it, a revocation could miss a token another transaction is minting at that moment.
 */
export async function lockFamily(manager: EntityManager, familyId: string): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtext('identity.refresh-family:' || $1))`, [
    familyId,
  ]);
}

/**
 * A session is a refresh-token family; its id is the access tokens' session id (`sid`), so
 * ending it ends both. Issues and revokes inside the caller's transaction.
 */
@Injectable()
export class Sessions {
  constructor(
    private readonly tokens: AccessTokens,
    private readonly config: AppConfig,
  ) {}

  async issue(
    manager: EntityManager,
    user: { id: string; roles: Role[] },
    familyId = uuidv7(),
  ): Promise<TokenResponse & { tokenId: string }> {
    const id = uuidv7();
    const secret = randomBytes(32).toString('base64url');
    await manager.insert(RefreshToken, {
      id,
      userId: user.id,
      familyId,
      secretHash: sha256(secret),
      expiresAt: new Date(Date.now() + this.config.REFRESH_TOKEN_TTL_SECONDS * 1000),
      revokedAt: null,
      revokedReason: null,
      replacedBy: null,
    });
    return {
      tokenId: id,
      accessToken: await this.tokens.sign({
        userId: user.id,
        roles: user.roles,
        sessionId: familyId,
      }),
      refreshToken: `${id}.${secret}`,
      expiresIn: this.tokens.ttlSeconds,
      tokenType: 'Bearer',
    };
  }

  /**
   * Ends a session (logout, or theft detected): revokes its live refresh tokens and denies its
   * access tokens. The deny-list write comes first and inside the transaction, so if Redis
   * cannot take it nothing is revoked and the caller answers 503 (retry) instead.
   */
  async revoke(manager: EntityManager, familyId: string, reason: RevokedReason): Promise<void> {
    await this.tokens.revokeSession(familyId);
    await manager.update(
      RefreshToken,
      { familyId, revokedAt: IsNull() },
      { revokedAt: new Date(), revokedReason: reason },
    );
  }
}
