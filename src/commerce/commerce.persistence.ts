import { CommerceSchema1795481766372 } from './migrations/1795481766372-CommerceSchema.js';
import { CartLine } from './cart/cart.entities.js';
import { Category, Product } from './catalog/catalog.entities.js';
import { InventoryItem, StockMovement } from './inventory/inventory.entities.js';
import { Order, OrderTimelineEntry } from './orders/order.entity.js';

/** Schema `commerce`: its entities and migrations, registered in src/database.ts. */
export const commerceEntities = [
  Category,
  Product,
  InventoryItem,
  StockMovement,
  CartLine,
  Order,
  OrderTimelineEntry,
];
export const commerceMigrations = [CommerceSchema1795481766372];
