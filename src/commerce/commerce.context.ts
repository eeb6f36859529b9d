import { defineContext } from '@app/platform';
import { COMMERCE_ERRORS } from './commerce.error.js';
import { CartLine } from './cart/cart-line.entity.js';
import { Category } from './catalog/category.entity.js';
import { Product } from './catalog/product.entity.js';
import { CommerceConfig } from './commerce.config.js';
import { CommerceModule } from './commerce.module.js';
import { InventoryItem } from './inventory/inventory-item.entity.js';
import { StockMovement } from './inventory/stock-movement.entity.js';
import { CommerceSchema1795481766372 } from './migrations/1795481766372-CommerceSchema.js';
import { OrderTimelineEntry } from './orders/order-timeline-entry.entity.js';
import { Order } from './orders/order.entity.js';

/** The shop: catalog, search, cart, inventory and orders. Schema `commerce`, Redis `commerce:`. */
export const commerceContext = defineContext({
  name: 'commerce',
  description: 'Catalog, search, cart, inventory and orders',
  config: CommerceConfig,
  entities: [Category, Product, InventoryItem, StockMovement, CartLine, Order, OrderTimelineEntry],
  migrations: [CommerceSchema1795481766372],
  errors: COMMERCE_ERRORS,
  module: CommerceModule,
});
