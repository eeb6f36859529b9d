import { Body, Controller, Delete, Get, HttpCode, Post, Put } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, Authenticated, CurrentUser, type Principal, UuidParam } from '@app/platform';
import { COMMERCE_ERRORS } from '../commerce.error.js';
import { AddCartItem } from './add-cart-item.handler.js';
import { AddCartItemRequest, CartResponse, SetQuantityRequest } from './cart.dto.js';
import { GetCart } from './get-cart.handler.js';
import { RemoveCartItem } from './remove-cart-item.handler.js';

const ERRORS = COMMERCE_ERRORS;

const ANSWERS_THE_CART = 'Answers the whole cart at current prices (as `GET /v1/commerce/cart`).';

@ApiTags('commerce')
@Authenticated()
@Controller('v1/commerce')
export class CartController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get('cart')
  @ApiOperation({
    summary: 'Get your cart, at current prices',
    description:
      'Your cart (one per customer, kept until checkout): its lines in the order they were ' +
      'added, each at the product’s current price, and the totals per currency. A cart holds ' +
      'no stock and fixes no price: both are settled when the order is placed.\n\n' +
      'Next: `POST /v1/commerce/orders` with a card token to check it out.',
  })
  @ApiOkResponse({ type: CartResponse })
  getCart(@CurrentUser() user: Principal): Promise<CartResponse> {
    return this.queries.execute(new GetCart(user.userId));
  }

  @Post('cart/items')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Add a product to your cart (adds to the quantity already there)',
    description:
      'Adds `quantity` of a product on sale to your cart: a new line, or more of a line ' +
      'already there (a line holds at most 100; more is capped at 100). Stock is not checked ' +
      'here but when the order is paid. A withdrawn or unknown product answers 404 ' +
      `\`commerce.product_not_found\`. ${ANSWERS_THE_CART}\n\n` +
      'Next: `POST /v1/commerce/orders` to check out.',
  })
  @ApiOkResponse({ type: CartResponse })
  @ApiProblems(ERRORS, ['commerce.product_not_found'], { validated: true })
  addCartItem(
    @CurrentUser() user: Principal,
    @Body() body: AddCartItemRequest,
  ): Promise<CartResponse> {
    return this.commands.execute(
      new AddCartItem(user.userId, body.productId, body.quantity, 'add'),
    );
  }

  @Put('cart/items/:productId')
  @ApiOperation({
    summary: 'Set the quantity of a cart line',
    description:
      'Sets how many of the product your cart holds (1–100), adding the line if it is not ' +
      'there; to remove it, DELETE it. A withdrawn or unknown product answers 404 ' +
      `\`commerce.product_not_found\`. ${ANSWERS_THE_CART}`,
  })
  @ApiOkResponse({ type: CartResponse })
  @ApiProblems(ERRORS, ['commerce.product_not_found'], {
    validated: true,
  })
  setCartItem(
    @CurrentUser() user: Principal,
    @UuidParam('productId', 'The product of the line') productId: string,
    @Body() body: SetQuantityRequest,
  ): Promise<CartResponse> {
    return this.commands.execute(new AddCartItem(user.userId, productId, body.quantity, 'set'));
  }

  @Delete('cart/items/:productId')
  @ApiOperation({
    summary: 'Remove a line from your cart',
    description:
      'Removes the product’s line from your cart — also a withdrawn product’s, which checkout ' +
      'would refuse. Removing a product that is not in the cart changes nothing and is not an ' +
      `error. ${ANSWERS_THE_CART}`,
  })
  @ApiOkResponse({ type: CartResponse })
  removeCartItem(
    @CurrentUser() user: Principal,
    @UuidParam('productId', 'The product of the line') productId: string,
  ): Promise<CartResponse> {
    return this.commands.execute(new RemoveCartItem(user.userId, productId));
  }
}
