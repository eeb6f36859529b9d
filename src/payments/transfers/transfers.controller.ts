import { Body, Controller, Get, Headers, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Authenticated, CurrentUser, Idempotent, ProblemDoc, type Principal } from '@app/platform';
import { GetTransfer } from './get-transfer.handler.js';
import { StartTopUp } from './start-top-up.handler.js';
import { StartTransfer } from './start-transfer.handler.js';
import { CreateTransferRequest, TopUpRequest, TransferResponse } from './transfers.dto.js';

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
    operationId: 'PaymentsController_transfer',
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
  @ApiOperation({
    summary: 'A transfer or top-up: status, failure reason and step history',
    operationId: 'PaymentsController_getTransfer',
  })
  @ApiOkResponse({ type: TransferResponse })
  @ApiNotFoundResponse({ description: 'payments.transfer_not_found', type: ProblemDoc })
  getTransfer(
    @CurrentUser() user: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<TransferResponse> {
    return this.queries.execute(new GetTransfer(user.userId, id));
  }
}
