import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, Public } from '@app/platform';
import { IDENTITY_ERRORS } from '../identity.error.js';
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
      '**Demo accounts:** in development, on an empty database, the server loads demo data and ' +
      'prints the credentials once in its log (`demo data loaded: customer demo@example.com / ' +
      '<password> …, admin admin@example.com / <password>`); the passwords are random per ' +
      'database. Or register your own account with `POST /v1/identity/register`.',
  })
  @ApiOkResponse({ type: TokenResponse })
  @ApiProblems(ERRORS, ['identity.invalid_credentials'], { validated: true })
  logIn(@Body() body: LoginRequest): Promise<TokenResponse> {
    return this.commands.execute(new Login(body));
  }

  @Post('refresh')
  @HttpCode(200)
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
      'logged-out one `identity.invalid_refresh_token`. Every 401 here means: log in again.',
  })
  @ApiOkResponse({ type: TokenResponse })
  @ApiProblems(
    ERRORS,
    [
      'identity.invalid_refresh_token',
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
      'no longer be refreshed. Answers **204** whether or not the token was valid, so the call ' +
      'cannot be used to probe tokens. Access tokens are not stored server-side: one already ' +
      'issued stays valid until it expires (at most `expiresIn` seconds), so the client drops ' +
      'it too (in Swagger UI: **Authorize** → Logout).',
  })
  @ApiNoContentResponse({ description: 'Session ended (also answered for unknown tokens)' })
  @ApiProblems(ERRORS, [], { validated: true })
  logOut(@Body() body: RefreshRequest): Promise<void> {
    return this.commands.execute(new Logout(body.refreshToken));
  }
}
