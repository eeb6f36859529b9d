import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  ADMIN_ROLE,
  ApiProblems,
  Authenticated,
  CurrentUser,
  ProblemDoc,
  Public,
  Roles,
  type Principal,
} from '@app/platform';
import { COMMERCE_ERRORS } from '../commerce.error.js';
import { GetStock } from './get-stock.handler.js';
import { SetStockRequest, StockResponse } from './inventory.dto.js';
import { SetStock } from './set-stock.handler.js';

const ERRORS = COMMERCE_ERRORS;

// Operation ids are explicit: they are the published ones (`CatalogController_*`).
@ApiTags('commerce')
@ApiBadRequestResponse({
  description: 'Invalid request (fields listed in `errors`)',
  type: ProblemDoc,
})
@Controller('v1/commerce')
export class InventoryController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get('inventory/:sku')
  @Public()
  @ApiOperation({
    summary: 'Stock of a SKU: on hand, reserved, available',
    operationId: 'CatalogController_stock',
  })
  @ApiOkResponse({ type: StockResponse })
  @ApiProblems(ERRORS, ['commerce.product_not_found'])
  stock(@Param('sku') sku: string): Promise<StockResponse> {
    return this.queries.execute(new GetStock(sku));
  }

  @Put('inventory/:sku')
  @Authenticated()
  @Roles(ADMIN_ROLE)
  @ApiOperation({
    summary: 'Set the units on hand (admin); the movement is recorded',
    operationId: 'CatalogController_setStock',
  })
  @ApiOkResponse({ type: StockResponse })
  @ApiConflictResponse({ description: 'below what is reserved', type: ProblemDoc })
  setStock(
    @Param('sku') sku: string,
    @Body() body: SetStockRequest,
    @CurrentUser() user: Principal,
  ): Promise<StockResponse> {
    return this.commands.execute(new SetStock(sku, body.onHand, user.userId));
  }
}
