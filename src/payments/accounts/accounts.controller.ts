import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ApiProblems,
  Authenticated,
  CurrentUser,
  PageQuery,
  type Principal,
  UuidParam,
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
@Controller('v1/payments')
export class PaymentAccountsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post('accounts')
  @ApiOperation({
    summary: 'Open a wallet account in a currency',
    description:
      'Opens a new, empty wallet in one currency (you may hold several, even in one currency). ' +
      'Answers 201 with its `id` and a zero balance. Next: fund it with a card top-up ' +
      '(POST /v1/payments/accounts/{id}/top-ups), or receive a transfer — give the payer this ' +
      '`id` as `toAccountId`. A wallet can never go below zero.',
  })
  @ApiCreatedResponse({ type: AccountResponse })
  @ApiProblems(ERRORS, [], { validated: true })
  openAccount(
    @CurrentUser() user: Principal,
    @Body() body: OpenAccountRequest,
  ): Promise<AccountResponse> {
    return this.commands.execute(new OpenAccount(user.userId, body.currency));
  }

  @Get('accounts')
  @ApiOperation({
    summary: 'List your wallet accounts with their balances',
    description:
      'Your wallets, newest first, cursor paged (`limit`, then `cursor` = the previous page’s ' +
      '`nextCursor`), each with its posted, pending and available balance in minor units.',
  })
  @ApiOkResponse({ type: AccountPage })
  @ApiProblems(ERRORS, [], { validated: true })
  listAccounts(@CurrentUser() user: Principal, @Query() page: PageQuery): Promise<AccountPage> {
    return this.queries.execute(new ListAccounts(user.userId, page));
  }

  @Get('accounts/:id')
  @ApiOperation({
    summary: 'Get one of your accounts with its balance',
    description:
      'A wallet of yours with its balance in minor units: `posted` (money that has landed), ' +
      '`pending` (held for outgoing transfers still running) and `available` (posted − pending: ' +
      'what can be spent or sent now). A top-up or transfer shows here once it is COMPLETED. ' +
      'Someone else’s account answers 404, like a missing one.',
  })
  @ApiOkResponse({ type: AccountResponse })
  @ApiProblems(ERRORS, ['payments.account_not_found'])
  getAccount(
    @CurrentUser() user: Principal,
    @UuidParam('id', 'One of your account ids') id: string,
  ): Promise<AccountResponse> {
    return this.queries.execute(new GetAccount(user.userId, id));
  }

  @Get('accounts/:id/entries')
  @ApiOperation({
    summary: 'List the ledger entries of one of your accounts (statement)',
    description:
      'The account’s statement: its ledger entries, newest first, each with the balances after ' +
      'it. A top-up or an incoming transfer shows as a `pending` credit (the hold) then a ' +
      '`post_pending` credit (posted) or a `void_pending` one (released); an outgoing transfer ' +
      'the same as debits. Cursor paged (`limit`, then `cursor` = the previous page’s ' +
      '`nextCursor`).',
  })
  @ApiOkResponse({ type: EntryPage })
  @ApiProblems(ERRORS, ['payments.account_not_found'], {
    validated: true,
  })
  listEntries(
    @CurrentUser() user: Principal,
    @UuidParam('id', 'One of your account ids') id: string,
    @Query() page: PageQuery,
  ): Promise<EntryPage> {
    return this.queries.execute(new ListEntries(user.userId, id, page.limit, page.cursor));
  }
}
