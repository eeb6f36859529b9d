import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactions } from '@app/platform';
import { RefreshToken } from './refresh-token.entity.js';
import { lockFamily, parseRefreshToken, secretMatches, Sessions } from './sessions.js';

export class Logout extends Command<void> {
  constructor(readonly refreshToken: string) {
    super();
  }
}

/**
 * Ends the session the refresh token belongs to: its whole family, and the access tokens issued
 * in it. Answers the same whether or not the token was valid, so it cannot probe tokens.
 */
@CommandHandler(Logout)
export class LogoutHandler implements ICommandHandler<Logout> {
  constructor(
    private readonly transactions: Transactions,
    private readonly sessions: Sessions,
  ) {}

  async execute({ refreshToken }: Logout): Promise<void> {
    const parsed = parseRefreshToken(refreshToken);
    if (!parsed) return;
    await this.transactions.run(async (tx) => {
      const token = await tx.manager.findOneBy(RefreshToken, { id: parsed.id });
      if (!token || !secretMatches(parsed.secret, token.secretHash)) return;
      await lockFamily(tx.manager, token.familyId);
      await this.sessions.revoke(tx.manager, token.familyId, 'logout');
    });
  }
}
