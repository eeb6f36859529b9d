import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactions } from '@app/platform';
import { Logger } from '@nestjs/common';
import { User } from '../accounts/user.entity.js';
import { IdentityError } from '../identity.error.js';
import { RefreshToken } from './refresh-token.entity.js';
import { lockFamily, parseRefreshToken, secretMatches, Sessions } from './sessions.js';
import type { TokenResponse } from './sessions.dto.js';

export class RefreshSession extends Command<TokenResponse> {
  constructor(readonly refreshToken: string) {
    super();
  }
}

type Outcome =
  { ok: true; tokens: TokenResponse } | { ok: false; code: 'invalid' | 'expired' | 'reused' };

/**
 * Rotates a refresh token. The row is locked, so two concurrent refreshes with one token
 * cannot both succeed: the second sees it rotated and is treated as reuse.
 */
@CommandHandler(RefreshSession)
export class RefreshSessionHandler implements ICommandHandler<RefreshSession> {
  private readonly logger = new Logger(RefreshSessionHandler.name);

  constructor(
    private readonly transactions: Transactions,
    private readonly sessions: Sessions,
  ) {}

  async execute({ refreshToken }: RefreshSession): Promise<TokenResponse> {
    const parsed = parseRefreshToken(refreshToken);
    // Reuse detection must commit the family's revocation, so the outcome is a value and the
    // error is thrown after the transaction.
    const outcome: Outcome = parsed
      ? await this.transactions.run(async (tx): Promise<Outcome> => {
          const found = await tx.manager.findOneBy(RefreshToken, { id: parsed.id });
          if (!found || !secretMatches(parsed.secret, found.secretHash))
            return { ok: false, code: 'invalid' };
          await lockFamily(tx.manager, found.familyId);
          const token = await tx.manager.findOneByOrFail(RefreshToken, { id: parsed.id });
          if (token.revokedAt) {
            if (token.revokedReason !== 'rotated') return { ok: false, code: 'invalid' };
            await this.sessions.revoke(tx.manager, token.familyId, 'reuse-detected');
            this.logger.warn(
              { userId: token.userId, familyId: token.familyId },
              'refresh token reuse detected; session family revoked',
            );
            return { ok: false, code: 'reused' };
          }
          if (token.expiresAt.getTime() <= Date.now()) return { ok: false, code: 'expired' };
          const user = await tx.manager.findOneBy(User, { id: token.userId });
          if (!user) return { ok: false, code: 'invalid' };
          const { tokenId, ...tokens } = await this.sessions.issue(
            tx.manager,
            user,
            token.familyId,
          );
          await tx.manager.update(
            RefreshToken,
            { id: token.id },
            { revokedAt: new Date(), revokedReason: 'rotated', replacedBy: tokenId },
          );
          return { ok: true, tokens };
        })
      : { ok: false, code: 'invalid' };

    if (outcome.ok) return outcome.tokens;
    switch (outcome.code) {
      case 'reused':
        throw new IdentityError(
          'identity.refresh_token_reused',
          'This refresh token was already used; the session has been revoked. Log in again.',
        );
      case 'expired':
        throw new IdentityError(
          'identity.refresh_token_expired',
          'The refresh token has expired. Log in again.',
        );
      case 'invalid':
        throw new IdentityError(
          'identity.invalid_refresh_token',
          'The refresh token is invalid or revoked.',
        );
    }
  }
}
