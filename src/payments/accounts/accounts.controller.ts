import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Authenticated, CurrentUser, PageQuery, ProblemDoc, type Principal } from '@app/platform';
import { AccountResponse, EntryPage, OpenAccountRequest } from './accounts.dto.js';
import { GetAccount } from './get-account.handler.js';
import { ListEntries } from './list-entries.handler.js';
import { OpenAccount } from './open-account.handler.js';

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

  @Get('accounts/:id')
  @ApiOperation({
    summary: 'An account of yours with its posted, pending and available balance',
    operationId: 'PaymentsController_account',
  })
  @ApiOkResponse({ type: AccountResponse })
  @ApiNotFoundResponse({
    description: 'payments.account_not_found (also for accounts of others)',
    type: ProblemDoc,
  })
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
  @ApiNotFoundResponse({ description: 'payments.account_not_found', type: ProblemDoc })
  entries(
    @CurrentUser() user: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() page: PageQuery,
  ): Promise<EntryPage> {
    return this.queries.execute(new ListEntries(user.userId, id, page.limit, page.cursor));
  }
}
