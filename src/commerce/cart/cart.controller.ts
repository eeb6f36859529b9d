import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Put,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, Authenticated, CurrentUser, type Principal, ProblemDoc } from '@app/platform';
import { COMMERCE_ERRORS } from '../commerce.error.js';
import { AddCartItem } from './add-cart-item.handler.js';
import { AddCartItemRequest, CartResponse, SetQuantityRequest } from './cart.dto.js';
import { GetCart } from './get-cart.handler.js';
import { RemoveCartItem } from './remove-cart-item.handler.js';

const ERRORS = COMMERCE_ERRORS;

// Operation ids are explicit: they are the published ones (`ShoppingController_*`).
@ApiTags('commerce')
@Authenticated()
@ApiBadRequestResponse({
  description: 'Invalid request (fields listed in `errors`)',
  type: ProblemDoc,
})
@Controller('v1/commerce')
export class CartController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get('cart')
  @ApiOperation({ summary: 'Your cart, at current prices', operationId: 'ShoppingController_cart' })
  @ApiOkResponse({ type: CartResponse })
  cart(@CurrentUser() user: Principal): Promise<CartResponse> {
    return this.queries.execute(new GetCart(user.userId));
  }

  @Post('cart/items')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Add a product to your cart (adds to the quantity already there)',
    operationId: 'ShoppingController_addItem',
  })
  @ApiOkResponse({ type: CartResponse })
  @ApiProblems(ERRORS, ['commerce.product_not_found'])
  addItem(@CurrentUser() user: Principal, @Body() body: AddCartItemRequest): Promise<CartResponse> {
    return this.commands.execute(
      new AddCartItem(user.userId, body.productId, body.quantity, 'add'),
    );
  }

  @Put('cart/items/:productId')
  @ApiOperation({
    summary: 'Set the quantity of a cart line',
    operationId: 'ShoppingController_setItem',
  })
  @ApiOkResponse({ type: CartResponse })
  setItem(
    @CurrentUser() user: Principal,
    @Param('productId', new ParseUUIDPipe()) productId: string,
    @Body() body: SetQuantityRequest,
  ): Promise<CartResponse> {
    return this.commands.execute(new AddCartItem(user.userId, productId, body.quantity, 'set'));
  }

  @Delete('cart/items/:productId')
  @ApiOperation({ summary: 'Remove a cart line', operationId: 'ShoppingController_removeItem' })
  @ApiOkResponse({ type: CartResponse })
  removeItem(
    @CurrentUser() user: Principal,
    @Param('productId', new ParseUUIDPipe()) productId: string,
  ): Promise<CartResponse> {
    return this.commands.execute(new RemoveCartItem(user.userId, productId));
  }
}
