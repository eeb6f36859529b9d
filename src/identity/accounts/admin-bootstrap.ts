import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { AppConfig, Transactions } from '@app/platform';
import { IdentityError } from '../identity.error.js';
import { Passwords } from './passwords.js';
import { RegisterUser } from './register-user.handler.js';
import { normalizeEmail, User } from './user.entity.js';

/**
 * First admin: when ADMIN_EMAIL/ADMIN_PASSWORD are set, that account exists and has the admin
 * role after boot. An existing account keeps its password; it only gains the role.
 */
@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminBootstrap.name);

  constructor(
    private readonly config: AppConfig,
    private readonly commands: CommandBus,
    private readonly transactions: Transactions,
    private readonly passwords: Passwords,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { ADMIN_EMAIL: email, ADMIN_PASSWORD: password } = this.config;
    if (!email || !password) return;
    const existing = await this.transactions.run((tx) =>
      tx.manager.findOneBy(User, { email: normalizeEmail(email) }),
    );
    if (existing) {
      // Never promote an account someone else registered with this address: only the holder of
      // ADMIN_PASSWORD is the bootstrap admin.
      if (!(await this.passwords.verify(existing.passwordHash, password))) {
        this.logger.error(
          { userId: existing.id },
          'ADMIN_EMAIL belongs to an account whose password is not ADMIN_PASSWORD; admin role NOT granted',
        );
        return;
      }
      await this.transactions.run(async (tx) => {
        const user = await tx.manager.findOneOrFail(User, {
          where: { id: existing.id },
          lock: { mode: 'pessimistic_write' },
        });
        if (user.grant('admin'))
          await tx.manager.update(User, { id: user.id }, { roles: user.roles });
      });
      return;
    }
    try {
      const user = await this.commands.execute(
        new RegisterUser({ email, password, displayName: 'Administrator' }, ['customer', 'admin']),
      );
      this.logger.log({ userId: user.id }, 'bootstrap admin account created');
    } catch (err) {
      // Another instance created it at the same moment.
      if (!(err instanceof IdentityError && err.code === 'identity.email_taken')) throw err;
    }
  }
}
