import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Authenticated, CurrentUser, Idempotent, ProblemDoc, type Principal } from '@app/platform';
import { CancelOrder } from './cancel-order.handler.js';
import { GetOrder } from './get-order.handler.js';
import { OrderAccepted, OrderResponse, PlaceOrderRequest } from './orders.dto.js';
import { PlaceOrder } from './place-order.handler.js';

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
  @ApiUnprocessableEntityResponse({
    description: 'commerce.cart_empty | commerce.mixed_currencies | commerce.product_unavailable',
    type: ProblemDoc,
  })
  placeOrder(
    @CurrentUser() user: Principal,
    @Body() body: PlaceOrderRequest,
    @Headers('idempotency-key') key: string,
  ): Promise<OrderAccepted> {
    return this.commands.execute(new PlaceOrder(user.userId, body.cardToken, key));
  }

  @Get('orders/:id')
  @ApiOperation({
    summary: 'An order: status, lines, total and timeline (yours; admins see all)',
    operationId: 'ShoppingController_order',
  })
  @ApiOkResponse({ type: OrderResponse })
  @ApiNotFoundResponse({ description: 'commerce.order_not_found', type: ProblemDoc })
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
  @ApiConflictResponse({ description: 'commerce.illegal_transition', type: ProblemDoc })
  cancel(
    @CurrentUser() user: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<OrderAccepted> {
    return this.commands.execute(new CancelOrder(user, id));
  }
}
