import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { AppConfig, Transactions } from '@app/platform';
import { IdentityError } from '../identity.error.js';
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
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { ADMIN_EMAIL: email, ADMIN_PASSWORD: password } = this.config;
    if (!email || !password) return;
    const granted = await this.transactions.run(async (tx) => {
      const user = await tx.manager.findOne(User, {
        where: { email: normalizeEmail(email) },
        lock: { mode: 'pessimistic_write' },
      });
      if (!user) return undefined;
      if (user.grant('admin'))
        await tx.manager.update(User, { id: user.id }, { roles: user.roles });
      return user.id;
    });
    if (granted) return;
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
