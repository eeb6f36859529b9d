import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ADMIN_ROLE, Authenticated, Roles } from '@app/platform';
import { LedgerVerification } from './ledger.dto.js';
import { VerifyLedger } from './verify-ledger.handler.js';

/** The ledger's own audit (admin). */
@ApiTags('payments')
@Authenticated()
@Controller('v1/payments')
export class LedgerController {
  constructor(private readonly queries: QueryBus) {}

  @Get('ledger/verify')
  @Roles(ADMIN_ROLE)
  @ApiOperation({
    summary: 'Verify the ledger’s invariants and hash chains (admin)',
    description:
      'An audit an operator runs at any time (read only, over one consistent snapshot): per ' +
      'currency Σ debits = Σ credits (posted and pending), no wallet below zero, every transfer ' +
      'with exactly its two entries, and every account’s entries an unbroken hash chain whose ' +
      'running balances end at the account’s balances. Answers 200 with `ok: true` and no ' +
      '`problems`, or `ok: false` listing each problem found. It reads every entry, so it takes ' +
      'longer as the ledger grows.',
  })
  @ApiOkResponse({ type: LedgerVerification })
  verifyLedger(): Promise<LedgerVerification> {
    return this.queries.execute(new VerifyLedger());
  }
}
