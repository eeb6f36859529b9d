import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
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
  PageQuery,
  type Principal,
  ProblemDoc,
} from '@app/platform';
import { PAYMENTS_ERRORS } from '../payments.error.js';
import { AccountPage, AccountResponse, EntryPage, OpenAccountRequest } from './accounts.dto.js';
import { GetAccount } from './get-account.handler.js';
import { ListAccounts } from './list-accounts.handler.js';
import { ListEntries } from './list-entries.handler.js';
import { OpenAccount } from './open-account.handler.js';

const ERRORS = PAYMENTS_ERRORS;

/** Wallet accounts: open one, its balances, its statement. */
@ApiTags('payments')
@Authenticated()
@ApiBadRequestResponse({
  description: 'Invalid request (fields listed in `errors`)',
  type: ProblemDoc,
})
@Controller('v1/payments')
export class PaymentAccountsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post('accounts')
  @ApiOperation({
    summary: 'Open a wallet account in a currency',
    operationId: 'PaymentsController_openAccount',
  })
  @ApiCreatedResponse({ type: AccountResponse })
  openAccount(
    @CurrentUser() user: Principal,
    @Body() body: OpenAccountRequest,
  ): Promise<AccountResponse> {
    return this.commands.execute(new OpenAccount(user.userId, body.currency));
  }

  @Get('accounts')
  @ApiOperation({
    summary: 'Your wallet accounts with their balances, newest first (cursor paged)',
    operationId: 'PaymentsController_accounts',
  })
  @ApiOkResponse({ type: AccountPage })
  accounts(@CurrentUser() user: Principal, @Query() page: PageQuery): Promise<AccountPage> {
    return this.queries.execute(new ListAccounts(user.userId, page));
  }

  @Get('accounts/:id')
  @ApiOperation({
    summary: 'An account of yours with its posted, pending and available balance',
    operationId: 'PaymentsController_account',
  })
  @ApiOkResponse({ type: AccountResponse })
  @ApiProblems(ERRORS, ['payments.account_not_found'])
  account(
    @CurrentUser() user: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<AccountResponse> {
    return this.queries.execute(new GetAccount(user.userId, id));
  }

  @Get('accounts/:id/entries')
  @ApiOperation({
    summary: 'Statement: ledger entries, newest first, with the balance after each',
    operationId: 'PaymentsController_entries',
  })
  @ApiOkResponse({ type: EntryPage })
  @ApiProblems(ERRORS, ['payments.account_not_found'])
  entries(
    @CurrentUser() user: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() page: PageQuery,
  ): Promise<EntryPage> {
    return this.queries.execute(new ListEntries(user.userId, id, page.limit, page.cursor));
  }
}
