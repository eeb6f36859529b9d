import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ApiProblems,
  Authenticated,
  CurrentUser,
  Idempotent,
  IdempotencyKey,
  type Principal,
  UuidParam,
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

const PLACE_ORDER = `Checks out **your whole cart** with one of your vaulted cards (the \`token\` from \
\`POST /v1/payments/cards\`). Prices are re-read now and fixed in the order, and the stock of \
every line is reserved now, before anything is charged; the cart lines it took are removed (a \
line added meanwhile stays). The token is checked by payments, not here: an unknown one fails \
the order with \`payment_failed:card_not_found\`.

Answers **202** with the order \`PENDING\` — or already \`FAILED\` with \`out_of_stock\` when \
some line's stock is not available: then nothing is reserved or charged, payments never sees \
the order, and the cart is kept as it was. The rest is a saga that runs asynchronously: poll \
\`GET /v1/commerce/orders/{id}\` (or watch \`GET /v1/notifications\`) until the status is \
\`CONFIRMED\` or \`FAILED\`.

1. \`PENDING\`: the stock is held for you; payments fraud-checks and charges the card.
2. \`PAID\`: the charge succeeded.
3. \`CONFIRMED\`: the held stock is taken off the shelf and a confirmation is sent. Only a \
confirmed order can be cancelled (\`POST /v1/commerce/orders/{id}/cancel\`, full refund).

Or \`FAILED\`, with \`failureReason\`:

- \`payment_failed:<reason>\`: the payment failed; nothing was charged, the held stock is \
released. \
\`<reason>\` is payments' code: \`card_declined\`, \`insufficient_funds\`, \`incorrect_cvc\`, \
\`fraudulent\` (declined by the card network), \`fraud_denied\` (refused by our fraud check), \
\`card_not_found\`, \`processing_error\`, \`processor_timeout\`, \`processor_unavailable\`, \
\`hold_expired\`…
- \`out_of_stock\`: at checkout (the 202 already says \`FAILED\`), a line's stock was not \
available; nothing was reserved or charged.
- \`timeout\`: the saga did not finish within \`COMMERCE_ORDER_TIMEOUT_SECONDS\` (900 s by \
default); the held stock is released and whatever was captured is refunded, even a charge \
that completes later.

A failed order's customer is notified, and so is each refund. Send a fresh \`Idempotency-Key\` \
per checkout: a retry with the same key never places a second order, it answers the first one.

422 when the cart cannot be checked out: \`commerce.cart_empty\`, \
\`commerce.mixed_currencies\` (one currency per order), \`commerce.product_unavailable\` (a \
product was withdrawn: remove its line).`;

@ApiTags('commerce')
@Authenticated()
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
    summary: 'Place an order: check out your cart with a vaulted card (202, then poll)',
    description: PLACE_ORDER,
  })
  @ApiAcceptedResponse({
    type: OrderAccepted,
    description:
      'Accepted: the order is PENDING, or FAILED at once when out of stock (a retry with the ' +
      'same key: its current status)',
  })
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
    summary: 'List your orders, newest first, cursor paged; `status` filters',
    description:
      'Your orders (an admin’s: everyone’s), newest first, without their timelines; ' +
      '`status` keeps one status (e.g. `FAILED` with their `failureReason`). For the next ' +
      'page send the same query with `cursor` = `nextCursor` until it is null.\n\n' +
      'Next: `GET /v1/commerce/orders/{id}` for an order’s timeline.',
  })
  @ApiOkResponse({ type: OrderPage })
  @ApiProblems(ERRORS, [], { validated: true })
  listOrders(@CurrentUser() user: Principal, @Query() query: ListOrdersQuery): Promise<OrderPage> {
    return this.queries.execute(new ListOrders(user, query));
  }

  @Get('orders/:id')
  @ApiOperation({
    summary: 'Get an order: status, lines, total and timeline',
    description:
      'Poll this after `POST /v1/commerce/orders` until `status` is `CONFIRMED` or `FAILED` ' +
      '(`PENDING` → `PAID` → `CONFIRMED`; see there for every `failureReason`). Lines and ' +
      '`total` are as charged; `timeline` lists every move, oldest first, with what caused ' +
      'it. Only your own orders (an admin sees any): another customer’s answers 404 ' +
      '`commerce.order_not_found`, exactly as an unknown id does.',
  })
  @ApiOkResponse({ type: OrderResponse })
  @ApiProblems(ERRORS, ['commerce.order_not_found'])
  getOrder(
    @CurrentUser() user: Principal,
    @UuidParam('id', 'The order id') id: string,
  ): Promise<OrderResponse> {
    return this.queries.execute(new GetOrder(user, id));
  }

  @Post('orders/:id/cancel')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Cancel a CONFIRMED order: stock goes back, the payment is refunded',
    description:
      'Only a `CONFIRMED` order can be cancelled, by its customer or an admin. It becomes ' +
      '`CANCELLED`: its units go back on hand, and payments refunds the whole charge ' +
      'asynchronously (a refund notification follows). Cancelling an order that is already ' +
      '`CANCELLED` answers the same, so a retry is safe.\n\n' +
      '409 `commerce.illegal_transition` otherwise: a `PENDING` or `PAID` order is still in ' +
      'its saga (wait for it to end), and a `FAILED` one needs nothing (whatever it charged ' +
      'is refunded automatically). Another customer’s order answers 404 ' +
      '`commerce.order_not_found`.',
  })
  @ApiOkResponse({ type: OrderAccepted, description: 'Cancelled: `status` is `CANCELLED`' })
  @ApiProblems(ERRORS, ['commerce.order_not_found', 'commerce.illegal_transition'])
  cancelOrder(
    @CurrentUser() user: Principal,
    @UuidParam('id', 'The order id') id: string,
  ): Promise<OrderAccepted> {
    return this.commands.execute(new CancelOrder(user, id));
  }
}
