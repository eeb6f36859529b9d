import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactions } from '@app/platform';
import { Passwords } from '../accounts/passwords.js';
import { normalizeEmail, User } from '../accounts/user.entity.js';
import { IdentityError } from '../identity.error.js';
import { Sessions } from './sessions.js';
import type { LoginRequest, TokenResponse } from './sessions.dto.js';

export class Login extends Command<TokenResponse> {
  constructor(readonly request: LoginRequest) {
    super();
  }
}

@CommandHandler(Login)
export class LoginHandler implements ICommandHandler<Login> {
  constructor(
    private readonly transactions: Transactions,
    private readonly passwords: Passwords,
    private readonly sessions: Sessions,
  ) {}

  async execute({ request }: Login): Promise<TokenResponse> {
    return this.transactions.run(async (tx) => {
      const user = await tx.manager.findOneBy(User, { email: normalizeEmail(request.email) });
      // Same work and same answer for an unknown email and a wrong password.
      const ok = await this.passwords.verify(user?.passwordHash, request.password);
      if (!user || !ok)
        throw new IdentityError('identity.invalid_credentials', 'Email or password is incorrect.');
      const { tokenId: _, ...tokens } = await this.sessions.issue(tx.manager, user);
      return tokens;
    });
  }
}
