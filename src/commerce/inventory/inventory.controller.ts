import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ADMIN_ROLE,
  ApiProblems,
  Authenticated,
  CurrentUser,
  Public,
  Roles,
  type Principal,
} from '@app/platform';
import { COMMERCE_ERRORS } from '../commerce.error.js';
import { GetStock } from './get-stock.handler.js';
import { SetStockRequest, SkuParam, StockResponse } from './inventory.dto.js';
import { SetStock } from './set-stock.handler.js';

const ERRORS = COMMERCE_ERRORS;

@ApiTags('commerce')
@Controller('v1/commerce')
export class InventoryController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get('inventory/:sku')
  @Public()
  @ApiOperation({
    summary: 'Get the stock of a SKU: on hand, reserved, available',
    description:
      'No token needed. `onHand` is what is on the shelf, `reserved` what checkout holds for ' +
      'orders awaiting payment, `available` (= onHand − reserved) what new orders can still ' +
      'get — the number search shows and `inStock` filters on. A confirmed order’s units have ' +
      'left `onHand`; a cancelled order’s come back. 404 `commerce.product_not_found` when the ' +
      'SKU has no stock record.',
  })
  @ApiOkResponse({ type: StockResponse })
  @ApiProblems(ERRORS, ['commerce.product_not_found'], { validated: true })
  getStock(@Param() params: SkuParam): Promise<StockResponse> {
    return this.queries.execute(new GetStock(params.sku));
  }

  @Put('inventory/:sku')
  @Authenticated()
  @Roles(ADMIN_ROLE)
  @ApiOperation({
    summary: 'Set the units on hand of a SKU (admin); the movement is recorded',
    description:
      'Admin only: a stock count. Sets `onHand` to the number sent (not a delta) and records ' +
      'the movement with who made it; answers the new stock. It can never go below what is ' +
      'reserved for orders awaiting payment (409 `commerce.illegal_transition`, `errors` naming `onHand` ' +
      'and the minimum). 404 `commerce.product_not_found` when no product has the SKU.',
  })
  @ApiOkResponse({ type: StockResponse })
  @ApiProblems(ERRORS, ['commerce.product_not_found', 'commerce.illegal_transition'], {
    validated: true,
  })
  setStock(
    @Param() params: SkuParam,
    @Body() body: SetStockRequest,
    @CurrentUser() user: Principal,
  ): Promise<StockResponse> {
    return this.commands.execute(new SetStock(params.sku, body.onHand, user.userId));
  }
}
