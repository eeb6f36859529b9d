import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  ADMIN_ROLE,
  ApiProblems,
  Authenticated,
  CurrentUser,
  PageQuery,
  type Principal,
  ProblemDoc,
  Roles,
} from '@app/platform';
import { PAYMENTS_ERRORS } from '../payments.error.js';
import { ListCards } from './list-cards.handler.js';
import { RotateVaultKeys } from './rotate-vault-keys.handler.js';
import { VaultCard } from './vault-card.handler.js';
import { CardPage, CardResponse, RotationResult, VaultCardRequest } from './vault.dto.js';

const ERRORS = PAYMENTS_ERRORS;

/** The card vault: vault a card for a token; rotate the vault's keys (admin). */
@ApiTags('payments')
@Authenticated()
@ApiBadRequestResponse({
  description: 'Invalid request (fields listed in `errors`)',
  type: ProblemDoc,
})
@Controller('v1/payments')
export class VaultController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get('cards')
  @ApiOperation({
    summary: 'Your vaulted cards, newest first: token, brand, last 4 digits and expiry only',
    operationId: 'PaymentsController_cards',
  })
  @ApiOkResponse({ type: CardPage })
  cards(@CurrentUser() user: Principal, @Query() page: PageQuery): Promise<CardPage> {
    return this.queries.execute(new ListCards(user.userId, page));
  }

  @Post('cards')
  @ApiOperation({
    summary: 'Vault a card: verified once with its CVC, stored encrypted; returns a token',
    operationId: 'PaymentsController_vaultCard',
  })
  @ApiCreatedResponse({ type: CardResponse })
  @ApiProblems(
    ERRORS,
    ['payments.card_invalid', 'payments.card_expired', 'payments.card_declined'],
    { validated: true },
  )
  vaultCard(@CurrentUser() user: Principal, @Body() body: VaultCardRequest): Promise<CardResponse> {
    return this.commands.execute(new VaultCard(user.userId, body));
  }

  @Post('vault/rotate')
  @Roles(ADMIN_ROLE)
  @HttpCode(200)
  @ApiOperation({
    summary: 'Re-encrypt every vaulted card under the active key (admin)',
    operationId: 'PaymentsController_rotate',
  })
  @ApiOkResponse({ type: RotationResult })
  rotate(): Promise<RotationResult> {
    return this.commands.execute(new RotateVaultKeys());
  }
}
