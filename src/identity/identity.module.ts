import { Module } from '@nestjs/common';
import { ContextRedisModule } from '@app/platform';
import { AccountsController } from './accounts/accounts.controller.js';
import { AdminBootstrap } from './accounts/admin-bootstrap.js';
import { GetMeHandler } from './accounts/get-me.handler.js';
import { Passwords } from './accounts/passwords.js';
import { RegisterUserHandler } from './accounts/register-user.handler.js';
import { AuthThrottle } from './sessions/auth-throttle.js';
import { LoginHandler } from './sessions/login.handler.js';
import { LogoutHandler } from './sessions/logout.handler.js';
import { RefreshSessionHandler } from './sessions/refresh-session.handler.js';
import { SessionsController } from './sessions/sessions.controller.js';
import { Sessions } from './sessions/sessions.js';

const controllers = [AccountsController, SessionsController];
const commandHandlers = [RegisterUserHandler, LoginHandler, RefreshSessionHandler, LogoutHandler];
const queryHandlers = [GetMeHandler];
const services = [Passwords, Sessions, AuthThrottle, AdminBootstrap];

/** Accounts, credentials and sessions. Publishes `identity.user-registered`. */
@Module({
  imports: [ContextRedisModule.forContext('identity')],
  controllers,
  providers: [...commandHandlers, ...queryHandlers, ...services],
})
export class IdentityModule {}
