import { Module } from '@nestjs/common';
import { AddCartItemHandler, GetCartHandler, RemoveCartItemHandler } from './cart/cart.handlers.js';
import {
  CreateCategoryHandler,
  CreateProductHandler,
  GetProductHandler,
  ListCategoriesHandler,
  UpdateProductHandler,
} from './catalog/catalog.handlers.js';
import { InvalidateProductCache, ProductCache } from './catalog/product-cache.js';
import { SearchProductsHandler } from './catalog/search.handler.js';
import { CatalogController, ShoppingController } from './commerce.controllers.js';
import { GetStockHandler, SetStockHandler } from './inventory/inventory.handlers.js';
import { Inventory } from './inventory/inventory.js';
import { CancelOrderHandler, GetOrderHandler, PlaceOrderHandler } from './orders/order.handlers.js';
import {
  ConfirmOrder,
  FailOrderOutOfStock,
  FailOrderUnpaid,
  ReserveStockOnPayment,
} from './orders/order-saga.consumers.js';
import { OrderTimeouts } from './orders/order-timeouts.js';
import { OrderTransitions } from './orders/order-transitions.js';

const controllers = [CatalogController, ShoppingController];
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
];
const consumers = [
  InvalidateProductCache,
  ReserveStockOnPayment,
  ConfirmOrder,
  FailOrderOutOfStock,
  FailOrderUnpaid,
];
const services = [ProductCache, Inventory, OrderTransitions, OrderTimeouts];

/** Catalog, search, cart, inventory and orders with the choreographed order saga. Schema `commerce`. */
@Module({
  controllers,
  providers: [...commandHandlers, ...queryHandlers, ...consumers, ...services],
})
export class CommerceModule {}
