import { defineContext } from '@app/platform';
import { CartLine } from './cart/cart.entities.js';
import { Category, Product } from './catalog/catalog.entities.js';
import { CommerceConfig } from './commerce.config.js';
import { CommerceModule } from './commerce.module.js';
import { InventoryItem, StockMovement } from './inventory/inventory.entities.js';
import { CommerceSchema1795481766372 } from './migrations/1795481766372-CommerceSchema.js';
import { Order, OrderTimelineEntry } from './orders/order.entity.js';

/** The shop: catalog, search, cart, inventory and orders. Schema `commerce`, Redis `commerce:`. */
export const commerceContext = defineContext({
  name: 'commerce',
  description: 'Catalog, search, cart, inventory and orders',
  config: CommerceConfig,
  entities: [Category, Product, InventoryItem, StockMovement, CartLine, Order, OrderTimelineEntry],
  migrations: [CommerceSchema1795481766372],
  module: CommerceModule,
});
