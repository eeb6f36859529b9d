import { Body, Controller, Get, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ApiProblems,
  Authenticated,
  CurrentUser,
  IdempotencyKey,
  Idempotent,
  type Principal,
  UuidParam,
} from '@app/platform';
import { PAYMENTS_ERRORS } from '../payments.error.js';
import { GetTransfer } from './get-transfer.handler.js';
import { StartTopUp } from './start-top-up.handler.js';
import { StartTransfer } from './start-transfer.handler.js';
import { CreateTransferRequest, TopUpRequest, TransferResponse } from './transfers.dto.js';

const ERRORS = PAYMENTS_ERRORS;

/** What every money movement's answer says about idempotency and polling. */
const IDEMPOTENCY_AND_POLLING =
  '**Idempotency.** Send a fresh `Idempotency-Key` (a UUID) per intended movement and reuse it ' +
  'only to retry: the same key with the same request answers the first response again (for ' +
  '24 h, with the header `Idempotent-Replayed: true`) and moves no money twice — that replay is ' +
  'the answer as it was then, so read the current state with GET /v1/payments/transfers/{id}. ' +
  'The same key with a different request is refused (422 `platform.idempotency_key_reused`); ' +
  'while the first request is still running, 409 `platform.idempotency_in_flight`.\n\n' +
  '**Polling.** The saga runs within the request as far as it can, so the answer is usually ' +
  'already COMPLETED or FAILED. It stays PENDING when it has to wait (e.g. the card network ' +
  'did not answer): poll GET /v1/payments/transfers/{id} until `status` is COMPLETED or ' +
  'FAILED, then read the balance with GET /v1/payments/accounts/{id}.';

/** The 201 of a money movement: its saga, and the replay header of the idempotency cache. */
const movementCreated = (description: string) =>
  ApiCreatedResponse({
    type: TransferResponse,
    description,
    headers: {
      'Idempotent-Replayed': {
        description:
          '`true` when this is the stored answer to an earlier request with the same ' +
          'Idempotency-Key (absent on the first answer)',
        schema: { type: 'string', enum: ['true'] },
      },
    },
  });

/** Money movements run as sagas: wallet top-ups from a card, transfers between wallets. */
@ApiTags('payments')
@Authenticated()
@Controller('v1/payments')
export class TransfersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post('accounts/:id/top-ups')
  @Idempotent()
  @ApiOperation({
    summary: 'Top up one of your wallets from a vaulted card',
    description:
      'Funds a wallet from a card vaulted with POST /v1/payments/cards (its `token` as ' +
      '`cardToken`), in the wallet’s currency. Answers 201 with the top-up (kind `top_up`), ' +
      'which runs as a saga:\n\n' +
      '`fraud` (fraud rules) → `hold` (the amount held for the wallet) → `charge` (the card is ' +
      'charged; after a timeout `charge_status` asks the processor what happened) → `post` ' +
      '(the wallet is credited: **COMPLETED**).\n\n' +
      '**FAILED**, with `failureReason`, when: the fraud rules deny it (`fraud_denied`, nothing ' +
      'was held or charged); the card is declined (`card_declined`, `insufficient_funds`, ' +
      '`fraudulent`, `processing_error` — the hold is released); the charge never reached the ' +
      'card network after three attempts (`processor_timeout`) or its outcome was still unknown ' +
      'at the saga’s deadline (`processor_unavailable`); the card is gone (`card_not_found`); or ' +
      'the hold expired before it could be posted (`hold_expired` — a captured charge is ' +
      'refunded first). A FAILED top-up leaves the balance as it was. The sandbox test cards ' +
      '(see POST /v1/payments/cards) trigger each of these.\n\n' +
      IDEMPOTENCY_AND_POLLING,
  })
  @movementCreated('The top-up: COMPLETED, FAILED (with `failureReason`) or still PENDING')
  @ApiProblems(
    ERRORS,
    ['payments.account_not_found', 'payments.card_not_found', 'payments.reference_reused'],
    { validated: true },
  )
  topUpAccount(
    @CurrentUser() user: Principal,
    @UuidParam('id', 'The wallet to fund: one of your account ids') id: string,
    @Body() body: TopUpRequest,
    @IdempotencyKey() key: string,
  ): Promise<TransferResponse> {
    return this.commands.execute(new StartTopUp(user.userId, id, body.cardToken, body.amount, key));
  }

  @Post('transfers')
  @Idempotent()
  @ApiOperation({
    summary: 'Transfer money from one of your wallets to another wallet',
    description:
      'Moves `amount` from one of your accounts (`fromAccountId`) to any customer’s wallet ' +
      '(`toAccountId`; its owner gives you its id), both in `currency`. Refused before anything ' +
      'moves when an account is not found (404), the two are the same account, their currency ' +
      'differs, or the `reference` was used for a different transfer (422). Otherwise answers ' +
      '201 with the transfer (kind `transfer`), already final: the fraud rules, then both ' +
      'accounts posted (**COMPLETED**) in one transaction — nothing outside the ledger to wait ' +
      'for, so no hold. Its `history` shows `started`, `fraud_checked`, `completed`.\n\n' +
      '**FAILED**, with `failureReason`, when: the fraud rules deny it (`fraud_denied`); or your ' +
      'available balance is too low (`insufficient_funds`). A FAILED transfer moves ' +
      'nothing.\n\n' +
      '**Reference.** `reference` (default: the Idempotency-Key) names the transfer for good: ' +
      'the same reference with the same request answers the same transfer even after the ' +
      'idempotency cache has expired.\n\n' +
      IDEMPOTENCY_AND_POLLING,
  })
  @movementCreated('The transfer: COMPLETED, FAILED (with `failureReason`) or still PENDING')
  @ApiProblems(
    ERRORS,
    [
      'payments.account_not_found',
      'payments.currency_mismatch',
      'payments.same_account',
      'payments.reference_reused',
    ],
    { validated: true },
  )
  createTransfer(
    @CurrentUser() user: Principal,
    @Body() body: CreateTransferRequest,
    @IdempotencyKey() key: string,
  ): Promise<TransferResponse> {
    return this.commands.execute(new StartTransfer(user.userId, body, key));
  }

  @Get('transfers/:id')
  @ApiOperation({
    summary: 'Get a transfer or top-up: status, failure reason and step history',
    description:
      'What to poll after POST /v1/payments/transfers or a top-up answered PENDING: call it ' +
      'until `status` is COMPLETED or FAILED (both final; `failureReason` says why it FAILED). ' +
      '`step` is the saga’s current step and `history` every step it took, oldest first. Only ' +
      'your own transfers and top-ups: anyone else’s answers 404.',
  })
  @ApiOkResponse({ type: TransferResponse })
  @ApiProblems(ERRORS, ['payments.transfer_not_found'])
  getTransfer(
    @CurrentUser() user: Principal,
    @UuidParam('id', 'The `id` a transfer or top-up answered') id: string,
  ): Promise<TransferResponse> {
    return this.queries.execute(new GetTransfer(user.userId, id));
  }
}
