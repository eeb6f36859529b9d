import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiBadRequestResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblems, ProblemDoc, Public } from '@app/platform';
import { IDENTITY_ERRORS } from '../identity.error.js';
import { Login } from './login.handler.js';
import { Logout } from './logout.handler.js';
import { RefreshSession } from './refresh-session.handler.js';
import { LoginRequest, RefreshRequest, TokenResponse } from './sessions.dto.js';

const ERRORS = IDENTITY_ERRORS;

/** Sessions: log in, rotate the refresh token, log out. */
@ApiTags('identity')
@ApiBadRequestResponse({
  description: 'Invalid request (fields listed in `errors`)',
  type: ProblemDoc,
})
@Public()
// Operation ids from before the accounts/sessions split, so generated clients keep their names.
@Controller('v1/identity')
export class SessionsController {
  constructor(private readonly commands: CommandBus) {}

  @Post('login')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Exchange email + password for an access token and a refresh token',
    operationId: 'IdentityController_login',
  })
  @ApiOkResponse({ type: TokenResponse })
  @ApiProblems(ERRORS, ['identity.invalid_credentials'], { validated: true })
  login(@Body() body: LoginRequest): Promise<TokenResponse> {
    return this.commands.execute(new Login(body));
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Rotate a refresh token; reusing an old one revokes the whole session',
    operationId: 'IdentityController_refresh',
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
  refresh(@Body() body: RefreshRequest): Promise<TokenResponse> {
    return this.commands.execute(new RefreshSession(body.refreshToken));
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({
    summary: 'End the session the refresh token belongs to',
    operationId: 'IdentityController_logout',
  })
  @ApiNoContentResponse({ description: 'Session ended (also answered for unknown tokens)' })
  logout(@Body() body: RefreshRequest): Promise<void> {
    return this.commands.execute(new Logout(body.refreshToken));
  }
}
