import { Module } from '@nestjs/common';
import { ContextRedisModule } from '@app/platform';
import { AddCartItemHandler } from './cart/add-cart-item.handler.js';
import { CartController } from './cart/cart.controller.js';
import { GetCartHandler } from './cart/get-cart.handler.js';
import { RemoveCartItemHandler } from './cart/remove-cart-item.handler.js';
import { CatalogController } from './catalog/catalog.controller.js';
import { CreateCategoryHandler } from './catalog/create-category.handler.js';
import { CreateProductHandler } from './catalog/create-product.handler.js';
import { GetProductHandler } from './catalog/get-product.handler.js';
import { InvalidateProductCache } from './catalog/invalidate-product-cache.consumer.js';
import { ListCategoriesHandler } from './catalog/list-categories.handler.js';
import { ProductCache } from './catalog/product-cache.js';
import { SearchProductsHandler } from './catalog/search-products.handler.js';
import { UpdateProductHandler } from './catalog/update-product.handler.js';
import { GetStockHandler } from './inventory/get-stock.handler.js';
import { InventoryController } from './inventory/inventory.controller.js';
import { Inventory } from './inventory/inventory.js';
import { SetStockHandler } from './inventory/set-stock.handler.js';
import { CancelOrderHandler } from './orders/cancel-order.handler.js';
import { GetOrderHandler } from './orders/get-order.handler.js';
import { ListOrdersHandler } from './orders/list-orders.handler.js';
import { ConfirmOrder, FailOrderUnpaid } from './orders/order-saga.consumer.js';
import { OrderTimeouts } from './orders/order-timeouts.js';
import { OrderTransitions } from './orders/order-transitions.js';
import { OrdersController } from './orders/orders.controller.js';
import { PlaceOrderHandler } from './orders/place-order.handler.js';

// Registration order is the order of the paths in the OpenAPI document.
const controllers = [CatalogController, InventoryController, CartController, OrdersController];
const commandHandlers = [
  CreateCategoryHandler,
  CreateProductHandler,
  UpdateProductHandler,
  SetStockHandler,
  AddCartItemHandler,
  RemoveCartItemHandler,
  PlaceOrderHandler,
  CancelOrderHandler,
];
const queryHandlers = [
  ListCategoriesHandler,
  GetProductHandler,
  SearchProductsHandler,
  GetStockHandler,
  GetCartHandler,
  GetOrderHandler,
  ListOrdersHandler,
];
const consumers = [InvalidateProductCache, ConfirmOrder, FailOrderUnpaid];
const services = [ProductCache, Inventory, OrderTransitions, OrderTimeouts];

/** Catalog, search, cart, inventory and orders with the choreographed order saga. Schema `commerce`. */
@Module({
  imports: [ContextRedisModule.forContext('commerce')],
  controllers,
  providers: [...commandHandlers, ...queryHandlers, ...consumers, ...services],
})
export class CommerceModule {}
