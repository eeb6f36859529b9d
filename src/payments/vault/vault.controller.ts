import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPaymentRequiredResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  ADMIN_ROLE,
  Authenticated,
  CurrentUser,
  ProblemDoc,
  Roles,
  type Principal,
} from '@app/platform';
import { RotateVaultKeys } from './rotate-vault-keys.handler.js';
import { VaultCard } from './vault-card.handler.js';
import { CardResponse, RotationResult, VaultCardRequest } from './vault.dto.js';

/** The card vault: vault a card for a token; rotate the vault's keys (admin). */
@ApiTags('payments')
@Authenticated()
@ApiBadRequestResponse({
  description: 'Invalid request (fields listed in `errors`)',
  type: ProblemDoc,
})
@Controller('v1/payments')
export class VaultController {
  constructor(private readonly commands: CommandBus) {}

  @Post('cards')
  @ApiOperation({
    summary: 'Vault a card: verified once with its CVC, stored encrypted; returns a token',
    operationId: 'PaymentsController_vaultCard',
  })
  @ApiCreatedResponse({ type: CardResponse })
  @ApiPaymentRequiredResponse({ description: 'payments.card_declined', type: ProblemDoc })
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
