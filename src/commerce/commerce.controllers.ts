import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import {
  Authenticated,
  CurrentUser,
  Idempotent,
  ProblemDoc,
  Public,
  Roles,
  type Principal,
} from '@app/platform';
import {
  AddCartItem,
  AddCartItemRequest,
  CartResponse,
  GetCart,
  RemoveCartItem,
  SetQuantityRequest,
} from './cart/cart.handlers.js';
import {
  CategoryResponse,
  CreateCategoryRequest,
  CreateProductRequest,
  ProductResponse,
  SearchQuery,
  SearchResponse,
  UpdateProductRequest,
} from './catalog/catalog.dto.js';
import {
  CreateCategory,
  CreateProduct,
  GetProduct,
  ListCategories,
  UpdateProduct,
} from './catalog/catalog.handlers.js';
import { SearchProducts } from './catalog/search.handler.js';
import {
  GetStock,
  SetStock,
  SetStockRequest,
  StockResponse,
} from './inventory/inventory.handlers.js';
import {
  CancelOrder,
  GetOrder,
  OrderAccepted,
  OrderResponse,
  PlaceOrder,
  PlaceOrderRequest,
} from './orders/order.handlers.js';

@ApiTags('commerce')
@ApiBadRequestResponse({
  description: 'Invalid request (fields listed in `errors`)',
  type: ProblemDoc,
})
@Controller('v1/commerce')
export class CatalogController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Public()
  @Get('products')
  @ApiOperation({
    summary: 'Search products: full text (prefix, ranked), filters, facet counts, cursor pages',
  })
  @ApiOkResponse({ type: SearchResponse })
  search(@Query() query: SearchQuery): Promise<SearchResponse> {
    return this.queries.execute(new SearchProducts(query));
  }

  @Public()
  @Get('products/:id')
  @ApiOperation({ summary: 'Product detail (served from cache, never stale after an update)' })
  @ApiOkResponse({ type: ProductResponse })
  @ApiNotFoundResponse({ description: 'commerce.product_not_found', type: ProblemDoc })
  product(@Param('id', new ParseUUIDPipe()) id: string): Promise<ProductResponse> {
    return this.queries.execute(new GetProduct(id));
  }

  @Post('products')
  @Authenticated()
  @Roles('admin')
  @ApiOperation({ summary: 'Create a product (admin)' })
  @ApiCreatedResponse({ type: ProductResponse })
  @ApiConflictResponse({ description: 'commerce.sku_taken', type: ProblemDoc })
  createProduct(@Body() body: CreateProductRequest): Promise<ProductResponse> {
    return this.commands.execute(new CreateProduct(body));
  }

  @Patch('products/:id')
  @Authenticated()
  @Roles('admin')
  @ApiOperation({ summary: 'Change a product (admin); `active: false` withdraws it' })
  @ApiOkResponse({ type: ProductResponse })
  @ApiNotFoundResponse({ description: 'commerce.product_not_found', type: ProblemDoc })
  updateProduct(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: UpdateProductRequest,
  ): Promise<ProductResponse> {
    return this.commands.execute(new UpdateProduct(id, body));
  }

  @Delete('products/:id')
  @Authenticated()
  @Roles('admin')
  @HttpCode(204)
  @ApiOperation({
    summary:
      'Withdraw a product (admin): it leaves search and detail reads; orders keep their lines',
  })
  @ApiNotFoundResponse({ description: 'commerce.product_not_found', type: ProblemDoc })
  async deleteProduct(@Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    await this.commands.execute(new UpdateProduct(id, { active: false }));
  }

  @Public()
  @Get('categories')
  @ApiOperation({ summary: 'The category tree, flattened in path order' })
  @ApiOkResponse({ type: [CategoryResponse] })
  categories(): Promise<CategoryResponse[]> {
    return this.queries.execute(new ListCategories());
  }

  @Post('categories')
  @Authenticated()
  @Roles('admin')
  @ApiOperation({ summary: 'Create a category (admin)' })
  @ApiCreatedResponse({ type: CategoryResponse })
  @ApiConflictResponse({ description: 'commerce.slug_taken', type: ProblemDoc })
  createCategory(@Body() body: CreateCategoryRequest): Promise<CategoryResponse> {
    return this.commands.execute(new CreateCategory(body));
  }

  @Get('inventory/:sku')
  @Public()
  @ApiOperation({ summary: 'Stock of a SKU: on hand, reserved, available' })
  @ApiOkResponse({ type: StockResponse })
  @ApiNotFoundResponse({ description: 'commerce.product_not_found', type: ProblemDoc })
  stock(@Param('sku') sku: string): Promise<StockResponse> {
    return this.queries.execute(new GetStock(sku));
  }

  @Put('inventory/:sku')
  @Authenticated()
  @Roles('admin')
  @ApiOperation({ summary: 'Set the units on hand (admin); the movement is recorded' })
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

@ApiTags('commerce')
@Authenticated()
@ApiBadRequestResponse({
  description: 'Invalid request (fields listed in `errors`)',
  type: ProblemDoc,
})
@Controller('v1/commerce')
export class ShoppingController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get('cart')
  @ApiOperation({ summary: 'Your cart, at current prices' })
  @ApiOkResponse({ type: CartResponse })
  cart(@CurrentUser() user: Principal): Promise<CartResponse> {
    return this.queries.execute(new GetCart(user.userId));
  }

  @Post('cart/items')
  @HttpCode(200)
  @ApiOperation({ summary: 'Add a product to your cart (adds to the quantity already there)' })
  @ApiOkResponse({ type: CartResponse })
  @ApiNotFoundResponse({ description: 'commerce.product_not_found', type: ProblemDoc })
  addItem(@CurrentUser() user: Principal, @Body() body: AddCartItemRequest): Promise<CartResponse> {
    return this.commands.execute(
      new AddCartItem(user.userId, body.productId, body.quantity, 'add'),
    );
  }

  @Put('cart/items/:productId')
  @ApiOperation({ summary: 'Set the quantity of a cart line' })
  @ApiOkResponse({ type: CartResponse })
  setItem(
    @CurrentUser() user: Principal,
    @Param('productId', new ParseUUIDPipe()) productId: string,
    @Body() body: SetQuantityRequest,
  ): Promise<CartResponse> {
    return this.commands.execute(new AddCartItem(user.userId, productId, body.quantity, 'set'));
  }

  @Delete('cart/items/:productId')
  @ApiOperation({ summary: 'Remove a cart line' })
  @ApiOkResponse({ type: CartResponse })
  removeItem(
    @CurrentUser() user: Principal,
    @Param('productId', new ParseUUIDPipe()) productId: string,
  ): Promise<CartResponse> {
    return this.commands.execute(new RemoveCartItem(user.userId, productId));
  }

  @Post('orders')
  @Idempotent()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Check out your cart with a vaulted card; the order saga runs asynchronously',
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
  @ApiOperation({ summary: 'An order: status, lines, total and timeline (yours; admins see all)' })
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
  @ApiOperation({ summary: 'Cancel a CONFIRMED order: stock is released and the payment refunded' })
  @ApiOkResponse({ type: OrderAccepted })
  @ApiConflictResponse({ description: 'commerce.illegal_transition', type: ProblemDoc })
  cancel(
    @CurrentUser() user: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<OrderAccepted> {
    return this.commands.execute(new CancelOrder(user, id));
  }
}
