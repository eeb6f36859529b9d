import { CommandHandler, ICommandHandler, Command } from '@nestjs/cqrs';
import { UserRegistered } from '@app/contracts/identity';
import { isUniqueViolation, Transactions, type Role } from '@app/platform';
import { IdentityError } from '../identity.error.js';
import { mapUser, type RegisterRequest, type UserResponse } from './accounts.dto.js';
import { Passwords } from './passwords.js';
import { normalizeEmail, User } from './user.entity.js';

export class RegisterUser extends Command<UserResponse> {
  constructor(
    readonly request: RegisterRequest,
    readonly roles: Role[] = ['customer'],
  ) {
    super();
  }
}

/** Creates the account and publishes `identity.user-registered` in the same transaction. */
@CommandHandler(RegisterUser)
export class RegisterUserHandler implements ICommandHandler<RegisterUser> {
  constructor(
    private readonly transactions: Transactions,
    private readonly passwords: Passwords,
  ) {}

  async execute({ request, roles }: RegisterUser): Promise<UserResponse> {
    const user = User.register(
      request.email,
      request.displayName,
      await this.passwords.hash(request.password),
      roles,
    );
    try {
      await this.transactions.run(async (tx) => {
        await tx.manager.insert(User, user);
        await tx.publish(
          new UserRegistered({
            userId: user.id,
            email: user.email,
            displayName: user.displayName,
            roles: user.roles,
            registeredAt: user.createdAt.toISOString(),
          }),
        );
      });
    } catch (err) {
      if (isUniqueViolation(err, 'users_email_key')) {
        throw new IdentityError(
          'identity.email_taken',
          `An account for ${normalizeEmail(request.email)} already exists.`,
        );
      }
      throw err;
    }
    return mapUser(user);
  }
}
