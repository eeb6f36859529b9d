import { Body, Controller, Get, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, Authenticated, CurrentUser, Public, type Principal } from '@app/platform';
import { IDENTITY_ERRORS } from '../identity.error.js';
import { AuthThrottled } from '../sessions/auth-throttle.js';
import { RegisterRequest, UserResponse } from './accounts.dto.js';
import { GetMe } from './get-me.handler.js';
import { RegisterUser } from './register-user.handler.js';

const ERRORS = IDENTITY_ERRORS;

/** Accounts: sign-up and the signed-in account. */
@ApiTags('identity')
@Controller('v1/identity')
export class AccountsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Public()
  @Post('register')
  @AuthThrottled('register')
  @ApiOperation({
    summary: 'Create an account (role: customer)',
    description:
      'The first step of every flow: creates a `customer` account and answers **201** with it ' +
      '(never the password; it is stored as an argon2id hash). The email is trimmed and ' +
      'lower-cased, so `Ada@Example.com` and `ada@example.com` are one account: a second ' +
      'registration answers 409 `identity.email_taken`.\n\n' +
      'Registering does not log in. Next: `POST /v1/identity/login` with the same email and ' +
      'password for an access token, then paste the `accessToken` into **Authorize** in Swagger ' +
      'UI (or send `Authorization: Bearer <accessToken>`). Registration also publishes ' +
      '`identity.user-registered`: notifications then creates the profile behind ' +
      '`GET /v1/notifications/preferences` and a welcome message in `GET /v1/notifications`, ' +
      'a moment later.\n\n' +
      'No token needed. Each client IP may register 100 accounts per 10 minutes by default (then ' +
      '429 `identity.too_many_attempts` with `Retry-After`), besides the per-client limit of ' +
      'every route.',
  })
  @ApiCreatedResponse({ type: UserResponse })
  @ApiProblems(ERRORS, ['identity.email_taken', 'identity.too_many_attempts'], {
    validated: true,
  })
  registerUser(@Body() body: RegisterRequest): Promise<UserResponse> {
    return this.commands.execute(new RegisterUser(body));
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({
    summary: 'The signed-in account',
    description:
      'The account the access token belongs to: id, email, display name and roles. A quick ' +
      "way to check that **Authorize** worked. The roles are the account's as stored now; " +
      'guarded routes check the roles the access token was issued with, so a newly granted ' +
      'role (e.g. `admin`) applies from the next login or refresh. Answers 404 ' +
      '`identity.user_not_found` when the account behind a still-valid token no longer ' +
      'exists: drop the tokens and log in (or register) again.',
  })
  @ApiOkResponse({ type: UserResponse })
  @ApiProblems(ERRORS, ['identity.user_not_found'])
  getCurrentUser(@CurrentUser() user: Principal): Promise<UserResponse> {
    return this.queries.execute(new GetMe(user.userId));
  }
}
