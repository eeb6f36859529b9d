import { Body, Controller, Header, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, Public } from '@app/platform';
import { IDENTITY_ERRORS } from '../identity.error.js';
import { AuthThrottled } from './auth-throttle.js';
import { Login } from './login.handler.js';
import { Logout } from './logout.handler.js';
import { RefreshSession } from './refresh-session.handler.js';
import { LoginRequest, RefreshRequest, TokenResponse } from './sessions.dto.js';

const ERRORS = IDENTITY_ERRORS;

/** Sessions: log in, rotate the refresh token, log out. */
@ApiTags('identity')
@Public()
@Controller('v1/identity')
export class SessionsController {
  constructor(private readonly commands: CommandBus) {}

  @Post('login')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store') // the answer carries tokens (RFC 6749 §5.1)
  @AuthThrottled('login')
  @ApiOperation({
    summary: 'Exchange email + password for an access token and a refresh token',
    description:
      'Starts a session. Answers **200** with:\n\n' +
      '- `accessToken`: a JWT to send as `Authorization: Bearer <accessToken>`. In Swagger UI, ' +
      'paste it into **Authorize** (top right) and every guarded call sends it. It lives ' +
      '`expiresIn` seconds (15 minutes by default); after that guarded routes answer 401 ' +
      '`platform.unauthorized`.\n' +
      '- `refreshToken`: opaque, single-use, valid 30 days by default. When the access token ' +
      'expires, exchange it at `POST /v1/identity/refresh` for a new pair (rotation: keep only ' +
      'the newest refresh token). End the session with `POST /v1/identity/logout`.\n\n' +
      'A wrong password and an unknown email answer the same 401 `identity.invalid_credentials` ' +
      'after the same work, so the answer does not tell which was wrong.\n\n' +
      '**Throttled:** after 5 failed logins for one email within 15 minutes (counted whether ' +
      'or not an account has it), every login for that email answers 429 ' +
      '`identity.too_many_attempts` with `Retry-After` until the window ends, even with the ' +
      'right password; a successful login clears the count. Each client IP may also send 100 ' +
      'logins per 10 minutes. (Defaults; `IDENTITY_LOGIN_*`, `IDENTITY_AUTH_*`.)\n\n' +
      '**Demo accounts:** in development, on an empty database, the server loads demo data and ' +
      'prints the credentials once in its log (`demo data loaded: customer demo@example.com / ' +
      '<password> …, admin admin@example.com / <password>`); the passwords are random per ' +
      'database. Or register your own account with `POST /v1/identity/register`.',
  })
  @ApiOkResponse({ type: TokenResponse })
  @ApiProblems(ERRORS, ['identity.invalid_credentials', 'identity.too_many_attempts'], {
    validated: true,
  })
  logIn(@Body() body: LoginRequest): Promise<TokenResponse> {
    return this.commands.execute(new Login(body));
  }

  @Post('refresh')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @AuthThrottled('refresh')
  @ApiOperation({
    summary: 'Rotate a refresh token; reusing an old one revokes the whole session',
    description:
      'Call when the access token has expired (a guarded route answered 401 ' +
      '`platform.unauthorized`) or is about to (`expiresIn` from the last login or refresh). ' +
      'Answers **200** with a new access token and a new refresh token (valid for the full ' +
      'refresh lifetime again, 30 days by default), the same shape as ' +
      "`POST /v1/identity/login`; the access token carries the account's current roles. Then " +
      'use the new access token (**Authorize** again in Swagger UI).\n\n' +
      'The refresh token sent is now spent: store the new one and discard it. Sending a ' +
      'spent token again is treated as theft: the whole session (every refresh token since ' +
      'the login) is revoked and the answer is 401 `identity.refresh_token_reused`. A token ' +
      'past its lifetime answers `identity.refresh_token_expired`; a malformed, unknown or ' +
      'logged-out one `identity.invalid_refresh_token`. Every 401 here means: log in again. ' +
      'Each client IP may send 100 refreshes per 10 minutes by default (then 429 ' +
      '`identity.too_many_attempts` with `Retry-After`).',
  })
  @ApiOkResponse({ type: TokenResponse })
  @ApiProblems(
    ERRORS,
    [
      'identity.invalid_refresh_token',
      'identity.too_many_attempts',
      'identity.refresh_token_expired',
      'identity.refresh_token_reused',
    ],
    { validated: true },
  )
  refreshSession(@Body() body: RefreshRequest): Promise<TokenResponse> {
    return this.commands.execute(new RefreshSession(body.refreshToken));
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({
    summary: 'End the session the refresh token belongs to',
    description:
      'Revokes every refresh token of the session (the login the token came from), so it can ' +
      'no longer be refreshed, and every access token issued in it: from now on they answer ' +
      '401 `platform.session_revoked` on every guarded route. Other sessions (other logins) of ' +
      'the same account keep working. Answers **204** whether or not the token was valid, so ' +
      'the call cannot be used to probe tokens. The client drops its tokens too (in Swagger ' +
      'UI: **Authorize** → Logout).',
  })
  @ApiNoContentResponse({ description: 'Session ended (also answered for unknown tokens)' })
  @ApiProblems(ERRORS, [], { validated: true })
  logOut(@Body() body: RefreshRequest): Promise<void> {
    return this.commands.execute(new Logout(body.refreshToken));
  }
}
