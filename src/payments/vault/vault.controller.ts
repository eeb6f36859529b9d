import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ADMIN_ROLE,
  ApiProblems,
  Authenticated,
  CurrentUser,
  PageQuery,
  type Principal,
  Roles,
} from '@app/platform';
import { PAYMENTS_ERRORS } from '../payments.error.js';
import { ListCards } from './list-cards.handler.js';
import { RotateVaultKeys } from './rotate-vault-keys.handler.js';
import { SANDBOX_CARD_TABLE, VAULT_CARD_EXAMPLES } from './sandbox-cards.openapi.js';
import { VAULT_ATTEMPT_LIMITS } from './vault-attempts.js';
import { VaultCard } from './vault-card.handler.js';
import { CardPage, CardResponse, RotationResult, VaultCardRequest } from './vault.dto.js';

const ERRORS = PAYMENTS_ERRORS;

/** The card vault: vault a card for a token; rotate the vault's keys (admin). */
@ApiTags('payments')
@Authenticated()
@Controller('v1/payments')
export class VaultController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get('cards')
  @ApiOperation({
    summary: 'List your vaulted cards',
    description:
      'Your vaulted cards, newest first, cursor paged (`limit`, then `cursor` = the previous ' +
      'page’s `nextCursor`). Each card shows only its token, brand, last four digits and expiry: ' +
      'never the number. Use a `token` as the `cardToken` of a wallet top-up ' +
      '(POST /v1/payments/accounts/{id}/top-ups) or of an order.',
  })
  @ApiOkResponse({ type: CardPage })
  @ApiProblems(ERRORS, [], { validated: true })
  listCards(@CurrentUser() user: Principal, @Query() page: PageQuery): Promise<CardPage> {
    return this.queries.execute(new ListCards(user.userId, page));
  }

  @Post('cards')
  @ApiOperation({
    summary: 'Vault a card for a token',
    description:
      'The first step of paying by card. The card is checked (Luhn checksum, expiry), verified ' +
      'once with the processor using its CVC, and stored encrypted; the CVC is never stored and ' +
      'the number is never returned. Answers 201 with a `token`: pass it as `cardToken` to ' +
      'POST /v1/payments/accounts/{id}/top-ups or when placing an order. Vaulting a card you ' +
      'already vaulted answers its existing token (without verifying it again).\n\n' +
      'A card is declined when it is **charged**, not when it is vaulted: with the default ' +
      'sandbox processor (`PAYMENTS_PROCESSOR=sandbox`) these test cards behave as listed (any ' +
      'other number that passes the checksum approves). Each is a named example of the request ' +
      'body; the approving card is the default.\n\n' +
      `${SANDBOX_CARD_TABLE}\n\n` +
      'A failed top-up shows the reason as its `failureReason`; a failed order shows ' +
      '`payment_failed:<reason>`.\n\n' +
      '**Card testing.** Failed verifications are limited: after ' +
      `${VAULT_ATTEMPT_LIMITS.perCustomer} in an hour by one customer, or ` +
      `${VAULT_ATTEMPT_LIMITS.perCard} for one card number by anyone, vaulting answers 429 ` +
      '`payments.too_many_card_attempts` with `Retry-After` (seconds) until the hour is over — ' +
      'even with the right CVC. Successful verifications do not count.',
  })
  @ApiBody({ type: VaultCardRequest, examples: VAULT_CARD_EXAMPLES })
  @ApiCreatedResponse({ type: CardResponse })
  @ApiProblems(
    ERRORS,
    [
      'payments.card_invalid',
      'payments.card_expired',
      'payments.card_declined',
      'payments.too_many_card_attempts',
    ],
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
    description:
      'Key rotation, step two: after adding a key to `PAYMENTS_VAULT_KEYS` (and making it the ' +
      'active one, the last or `PAYMENTS_VAULT_ACTIVE_KEY`), call this to re-encrypt every card ' +
      'still under an older key, in batches. Answers how many were re-encrypted; calling it ' +
      'again answers 0. Once it has, the old key can be removed. Tokens do not change.',
  })
  @ApiOkResponse({ type: RotationResult })
  rotateVaultKey(): Promise<RotationResult> {
    return this.commands.execute(new RotateVaultKeys());
  }
}
