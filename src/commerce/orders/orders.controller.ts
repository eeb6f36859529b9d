import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  ApiProblems,
  Authenticated,
  CurrentUser,
  Idempotent,
  IdempotencyKey,
  ProblemDoc,
  type Principal,
} from '@app/platform';
import { COMMERCE_ERRORS } from '../commerce.error.js';
import { CancelOrder } from './cancel-order.handler.js';
import { GetOrder } from './get-order.handler.js';
import { ListOrders } from './list-orders.handler.js';
import {
  ListOrdersQuery,
  OrderAccepted,
  OrderPage,
  OrderResponse,
  PlaceOrderRequest,
} from './orders.dto.js';
import { PlaceOrder } from './place-order.handler.js';

const ERRORS = COMMERCE_ERRORS;

// Operation ids are explicit: they are the published ones (`ShoppingController_*`).
@ApiTags('commerce')
@Authenticated()
@ApiBadRequestResponse({
  description: 'Invalid request (fields listed in `errors`)',
  type: ProblemDoc,
})
@Controller('v1/commerce')
export class OrdersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post('orders')
  @Idempotent()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Check out your cart with a vaulted card; the order saga runs asynchronously',
    operationId: 'ShoppingController_placeOrder',
  })
  @ApiAcceptedResponse({ type: OrderAccepted })
  @ApiProblems(
    ERRORS,
    ['commerce.cart_empty', 'commerce.mixed_currencies', 'commerce.product_unavailable'],
    { validated: true },
  )
  placeOrder(
    @CurrentUser() user: Principal,
    @Body() body: PlaceOrderRequest,
    @IdempotencyKey() key: string,
  ): Promise<OrderAccepted> {
    return this.commands.execute(new PlaceOrder(user.userId, body.cardToken, key));
  }

  @Get('orders')
  @ApiOperation({
    summary: 'Your orders, newest first, cursor paged; `?status=` filters (admins see all)',
    operationId: 'ShoppingController_orders',
  })
  @ApiOkResponse({ type: OrderPage })
  orders(@CurrentUser() user: Principal, @Query() query: ListOrdersQuery): Promise<OrderPage> {
    return this.queries.execute(new ListOrders(user, query));
  }

  @Get('orders/:id')
  @ApiOperation({
    summary: 'An order: status, lines, total and timeline (yours; admins see all)',
    operationId: 'ShoppingController_order',
  })
  @ApiOkResponse({ type: OrderResponse })
  @ApiProblems(ERRORS, ['commerce.order_not_found'])
  order(
    @CurrentUser() user: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<OrderResponse> {
    return this.queries.execute(new GetOrder(user, id));
  }

  @Post('orders/:id/cancel')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Cancel a CONFIRMED order: stock is released and the payment refunded',
    operationId: 'ShoppingController_cancel',
  })
  @ApiOkResponse({ type: OrderAccepted })
  @ApiProblems(ERRORS, ['commerce.order_not_found', 'commerce.illegal_transition'])
  cancel(
    @CurrentUser() user: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<OrderAccepted> {
    return this.commands.execute(new CancelOrder(user, id));
  }
}
