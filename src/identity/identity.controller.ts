import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Authenticated, CurrentUser, ProblemDoc, Public, type Principal } from '@app/platform';
import { RegisterRequest, UserResponse } from './accounts/accounts.dto.js';
import { GetMe } from './accounts/get-me.handler.js';
import { RegisterUser } from './accounts/register-user.handler.js';
import { Login } from './sessions/login.handler.js';
import { Logout } from './sessions/logout.handler.js';
import { RefreshSession } from './sessions/refresh.handler.js';
import { LoginRequest, RefreshRequest, TokenResponse } from './sessions/sessions.dto.js';

@ApiTags('identity')
@ApiBadRequestResponse({
  description: 'Invalid request (fields listed in `errors`)',
  type: ProblemDoc,
})
@Controller('v1/identity')
export class IdentityController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Public()
  @Post('register')
  @ApiOperation({ summary: 'Create an account (role: customer)' })
  @ApiCreatedResponse({ type: UserResponse })
  @ApiConflictResponse({ description: 'identity.email_taken', type: ProblemDoc })
  register(@Body() body: RegisterRequest): Promise<UserResponse> {
    return this.commands.execute(new RegisterUser(body));
  }

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange email + password for an access token and a refresh token' })
  @ApiOkResponse({ type: TokenResponse })
  @ApiUnauthorizedResponse({ description: 'identity.invalid_credentials', type: ProblemDoc })
  login(@Body() body: LoginRequest): Promise<TokenResponse> {
    return this.commands.execute(new Login(body));
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({ summary: 'Rotate a refresh token; reusing an old one revokes the whole session' })
  @ApiOkResponse({ type: TokenResponse })
  @ApiUnauthorizedResponse({
    description: 'identity.invalid_refresh_token | refresh_token_expired | refresh_token_reused',
    type: ProblemDoc,
  })
  refresh(@Body() body: RefreshRequest): Promise<TokenResponse> {
    return this.commands.execute(new RefreshSession(body.refreshToken));
  }

  @Public()
  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'End the session the refresh token belongs to' })
  @ApiNoContentResponse({ description: 'Session ended (also answered for unknown tokens)' })
  logout(@Body() body: RefreshRequest): Promise<void> {
    return this.commands.execute(new Logout(body.refreshToken));
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({ summary: 'The signed-in account' })
  @ApiOkResponse({ type: UserResponse })
  @ApiNotFoundResponse({ description: 'identity.user_not_found', type: ProblemDoc })
  me(@CurrentUser() user: Principal): Promise<UserResponse> {
    return this.queries.execute(new GetMe(user.userId));
  }
}
