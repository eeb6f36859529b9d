import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactions } from '@app/platform';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Passwords } from '../accounts/passwords.js';
import { normalizeEmail, User } from '../accounts/user.entity.js';
import { IdentityError } from '../identity.error.js';
import { AuthThrottle } from './auth-throttle.js';
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
    private readonly throttle: AuthThrottle,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async execute({ request }: Login): Promise<TokenResponse> {
    // The hash check runs outside the transaction: argon2 is slow on purpose and must not hold
    // a pooled connection. Same work and same answer for an unknown email and a wrong password.
    const user = await this.dataSource
      .getRepository(User)
      .findOneBy({ email: normalizeEmail(request.email) });
    const ok = await this.passwords.verify(user?.passwordHash, request.password);
    if (!user || !ok)
      throw new IdentityError('identity.invalid_credentials', 'Email or password is incorrect.');
    const tokens = await this.transactions.run(async (tx) => {
      const { tokenId: _, ...issued } = await this.sessions.issue(tx.manager, user);
      return issued;
    });
    // The attempt was counted against this email (AuthThrottleGuard); a success clears it.
    await this.throttle.loginSucceeded(user.email);
    return tokens;
  }
}
