import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPaymentRequiredResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import {
  Authenticated,
  CurrentUser,
  Idempotent,
  PageQuery,
  ProblemDoc,
  Roles,
  type Principal,
} from '@app/platform';
import { GetAccount, ListEntries } from './accounts/account-queries.js';
import {
  AccountResponse,
  EntryPage,
  OpenAccountRequest,
  TopUpRequest,
} from './accounts/accounts.dto.js';
import { OpenAccount } from './accounts/open-account.handler.js';
import { LedgerVerification, VerifyLedger } from './ledger/verify-ledger.handler.js';
import { GetTransfer, StartTopUp, StartTransfer } from './transfers/start-transfer.handler.js';
import { CreateTransferRequest, TransferResponse } from './transfers/transfers.dto.js';
import { CardResponse, VaultCardRequest } from './vault/cards.dto.js';
import { RotateVaultKeys, RotationResult } from './vault/rotate-keys.handler.js';
import { VaultCard } from './vault/vault-card.handler.js';

@ApiTags('payments')
@Authenticated()
@ApiBadRequestResponse({
  description: 'Invalid request (fields listed in `errors`)',
  type: ProblemDoc,
})
@Controller('v1/payments')
export class PaymentsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post('cards')
  @ApiOperation({
    summary: 'Vault a card: verified once with its CVC, stored encrypted; returns a token',
  })
  @ApiCreatedResponse({ type: CardResponse })
  @ApiPaymentRequiredResponse({ description: 'payments.card_declined', type: ProblemDoc })
  vaultCard(@CurrentUser() user: Principal, @Body() body: VaultCardRequest): Promise<CardResponse> {
    return this.commands.execute(new VaultCard(user.userId, body));
  }

  @Post('accounts')
  @ApiOperation({ summary: 'Open a wallet account in a currency' })
  @ApiCreatedResponse({ type: AccountResponse })
  openAccount(
    @CurrentUser() user: Principal,
    @Body() body: OpenAccountRequest,
  ): Promise<AccountResponse> {
    return this.commands.execute(new OpenAccount(user.userId, body.currency));
  }

  @Get('accounts/:id')
  @ApiOperation({ summary: 'An account of yours with its posted, pending and available balance' })
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
  @ApiOperation({ summary: 'Statement: ledger entries, newest first, with the balance after each' })
  @ApiOkResponse({ type: EntryPage })
  @ApiNotFoundResponse({ description: 'payments.account_not_found', type: ProblemDoc })
  entries(
    @CurrentUser() user: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() page: PageQuery,
  ): Promise<EntryPage> {
    return this.queries.execute(new ListEntries(user.userId, id, page.limit, page.cursor));
  }

  @Post('accounts/:id/top-ups')
  @Idempotent()
  @ApiOperation({
    summary: 'Top up a wallet from a vaulted card (fraud check → hold → charge → post)',
  })
  @ApiCreatedResponse({
    type: TransferResponse,
    description: 'The top-up saga: COMPLETED, FAILED (with a reason) or still PENDING',
  })
  @ApiNotFoundResponse({
    description: 'payments.account_not_found | payments.card_not_found',
    type: ProblemDoc,
  })
  topUp(
    @CurrentUser() user: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: TopUpRequest,
    @Headers('idempotency-key') key: string,
  ): Promise<TransferResponse> {
    return this.commands.execute(new StartTopUp(user.userId, id, body.cardToken, body.amount, key));
  }

  @Post('transfers')
  @Idempotent()
  @ApiOperation({
    summary: 'Move money from one of your accounts to another account (orchestrated saga)',
  })
  @ApiCreatedResponse({
    type: TransferResponse,
    description: 'COMPLETED, FAILED (with a reason) or still PENDING',
  })
  @ApiNotFoundResponse({ description: 'payments.account_not_found', type: ProblemDoc })
  @ApiUnprocessableEntityResponse({
    description:
      'payments.currency_mismatch | payments.same_account | payments.reference_reused | key reused',
    type: ProblemDoc,
  })
  transfer(
    @CurrentUser() user: Principal,
    @Body() body: CreateTransferRequest,
    @Headers('idempotency-key') key: string,
  ): Promise<TransferResponse> {
    return this.commands.execute(new StartTransfer(user.userId, body, key));
  }

  @Get('transfers/:id')
  @ApiOperation({ summary: 'A transfer or top-up: status, failure reason and step history' })
  @ApiOkResponse({ type: TransferResponse })
  @ApiNotFoundResponse({ description: 'payments.transfer_not_found', type: ProblemDoc })
  getTransfer(
    @CurrentUser() user: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<TransferResponse> {
    return this.queries.execute(new GetTransfer(user.userId, id));
  }

  @Get('ledger/verify')
  @Roles('admin')
  @ApiOperation({ summary: 'Recompute the ledger invariants and every hash chain (admin)' })
  @ApiOkResponse({ type: LedgerVerification })
  verify(): Promise<LedgerVerification> {
    return this.queries.execute(new VerifyLedger());
  }

  @Post('vault/rotate')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Re-encrypt every vaulted card under the active key (admin)' })
  @ApiOkResponse({ type: RotationResult })
  rotate(): Promise<RotationResult> {
    return this.commands.execute(new RotateVaultKeys());
  }
}
