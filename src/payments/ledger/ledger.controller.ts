import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ADMIN_ROLE, Authenticated, ProblemDoc, Roles } from '@app/platform';
import { LedgerVerification } from './ledger.dto.js';
import { VerifyLedger } from './verify-ledger.handler.js';

/** The ledger's own audit (admin). */
@ApiTags('payments')
@Authenticated()
@ApiBadRequestResponse({
  description: 'Invalid request (fields listed in `errors`)',
  type: ProblemDoc,
})
@Controller('v1/payments')
export class LedgerController {
  constructor(private readonly queries: QueryBus) {}

  @Get('ledger/verify')
  @Roles(ADMIN_ROLE)
  @ApiOperation({
    summary: 'Recompute the ledger invariants and every hash chain (admin)',
    operationId: 'PaymentsController_verify',
  })
  @ApiOkResponse({ type: LedgerVerification })
  verify(): Promise<LedgerVerification> {
    return this.queries.execute(new VerifyLedger());
  }
}
