import { Body, Controller, Get, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  ApiProblems,
  Authenticated,
  CurrentUser,
  ProblemDoc,
  Public,
  type Principal,
} from '@app/platform';
import { IDENTITY_ERRORS } from '../identity.error.js';
import { RegisterRequest, UserResponse } from './accounts.dto.js';
import { GetMe } from './get-me.handler.js';
import { RegisterUser } from './register-user.handler.js';

const ERRORS = IDENTITY_ERRORS;

/** Accounts: sign-up and the signed-in account. */
@ApiTags('identity')
@ApiBadRequestResponse({
  description: 'Invalid request (fields listed in `errors`)',
  type: ProblemDoc,
})
// Operation ids from before the accounts/sessions split, so generated clients keep their names.
@Controller('v1/identity')
export class AccountsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Public()
  @Post('register')
  @ApiOperation({
    summary: 'Create an account (role: customer)',
    operationId: 'IdentityController_register',
  })
  @ApiCreatedResponse({ type: UserResponse })
  @ApiProblems(ERRORS, ['identity.email_taken'], { validated: true })
  register(@Body() body: RegisterRequest): Promise<UserResponse> {
    return this.commands.execute(new RegisterUser(body));
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({
    summary: 'The signed-in account',
    operationId: 'IdentityController_me',
  })
  @ApiOkResponse({ type: UserResponse })
  @ApiProblems(ERRORS, ['identity.user_not_found'])
  me(@CurrentUser() user: Principal): Promise<UserResponse> {
    return this.queries.execute(new GetMe(user.userId));
  }
}
