import { Module } from '@nestjs/common';
import { AccountsController } from './accounts/accounts.controller.js';
import { AdminBootstrap } from './accounts/admin-bootstrap.js';
import { GetMeHandler } from './accounts/get-me.handler.js';
import { Passwords } from './accounts/passwords.js';
import { RegisterUserHandler } from './accounts/register-user.handler.js';
import { LoginHandler } from './sessions/login.handler.js';
import { LogoutHandler } from './sessions/logout.handler.js';
import { RefreshSessionHandler } from './sessions/refresh-session.handler.js';
import { SessionsController } from './sessions/sessions.controller.js';
import { Sessions } from './sessions/sessions.js';

const controllers = [AccountsController, SessionsController];
const commandHandlers = [RegisterUserHandler, LoginHandler, RefreshSessionHandler, LogoutHandler];
const queryHandlers = [GetMeHandler];
const services = [Passwords, Sessions, AdminBootstrap];

/** Accounts, credentials and sessions. Publishes `identity.user-registered`. */
@Module({
  controllers,
  providers: [...commandHandlers, ...queryHandlers, ...services],
})
export class IdentityModule {}
