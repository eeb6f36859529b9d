import { InternalEvent } from '@app/platform';

/** A product's public data changed (caches of it are stale). Commerce's own event. */
export class ProductChanged extends InternalEvent<{ productId: string }> {
  static override readonly type = 'commerce.product-changed';
  static override readonly version = 1;
}
