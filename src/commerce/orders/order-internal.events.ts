import { InternalEvent } from '@app/platform';

/*
 * Commerce's own steps of the order saga: durable (outbox → inbox) like integration events, but
 * consumed only inside commerce, never carried to a broker and not part of libs/contracts.
 */

/** Inventory held stock for every line of a paid order. */
export class InventoryReserved extends InternalEvent<{ orderId: string }> {
  static override readonly type = 'commerce.inventory-reserved';
  static override readonly version = 1;
}

/** Inventory could not hold stock for a paid order (nothing was held). */
export class InventoryInsufficient extends InternalEvent<{ orderId: string; skus: string[] }> {
  static override readonly type = 'commerce.inventory-insufficient';
  static override readonly version = 1;
}
