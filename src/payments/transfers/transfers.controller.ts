import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
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
  IdempotencyKey,
  Idempotent,
  type Principal,
  ProblemDoc,
} from '@app/platform';
import { PAYMENTS_ERRORS } from '../payments.error.js';
import { GetTransfer } from './get-transfer.handler.js';
import { StartTopUp } from './start-top-up.handler.js';
import { StartTransfer } from './start-transfer.handler.js';
import { CreateTransferRequest, TopUpRequest, TransferResponse } from './transfers.dto.js';

const ERRORS = PAYMENTS_ERRORS;

/** Money movements run as sagas: wallet top-ups from a card, transfers between wallets. */
@ApiTags('payments')
@Authenticated()
@ApiBadRequestResponse({
  description: 'Invalid request (fields listed in `errors`)',
  type: ProblemDoc,
})
@Controller('v1/payments')
export class TransfersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post('accounts/:id/top-ups')
  @Idempotent()
  @ApiOperation({
    summary: 'Top up a wallet from a vaulted card (fraud check → hold → charge → post)',
    operationId: 'PaymentsController_topUp',
  })
  @ApiCreatedResponse({
    type: TransferResponse,
    description: 'The top-up saga: COMPLETED, FAILED (with a reason) or still PENDING',
  })
  @ApiProblems(ERRORS, ['payments.account_not_found', 'payments.card_not_found'])
  topUp(
    @CurrentUser() user: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: TopUpRequest,
    @IdempotencyKey() key: string,
  ): Promise<TransferResponse> {
    return this.commands.execute(new StartTopUp(user.userId, id, body.cardToken, body.amount, key));
  }

  @Post('transfers')
  @Idempotent()
  @ApiOperation({
    summary: 'Move money from one of your accounts to another account (orchestrated saga)',
    operationId: 'PaymentsController_transfer',
  })
  @ApiCreatedResponse({
    type: TransferResponse,
    description: 'COMPLETED, FAILED (with a reason) or still PENDING',
  })
  @ApiProblems(ERRORS, ['payments.account_not_found'])
  @ApiProblems(ERRORS, [
    'payments.currency_mismatch',
    'payments.same_account',
    'payments.reference_reused',
  ])
  transfer(
    @CurrentUser() user: Principal,
    @Body() body: CreateTransferRequest,
    @IdempotencyKey() key: string,
  ): Promise<TransferResponse> {
    return this.commands.execute(new StartTransfer(user.userId, body, key));
  }

  @Get('transfers/:id')
  @ApiOperation({
    summary: 'A transfer or top-up: status, failure reason and step history',
    operationId: 'PaymentsController_getTransfer',
  })
  @ApiOkResponse({ type: TransferResponse })
  @ApiProblems(ERRORS, ['payments.transfer_not_found'])
  getTransfer(
    @CurrentUser() user: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<TransferResponse> {
    return this.queries.execute(new GetTransfer(user.userId, id));
  }
}
