import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Consumes, type IntegrationEventConsumer } from '@app/platform';
import { DataSource } from 'typeorm';
import { ProductChanged } from './catalog-internal.events.js';
import { ProductCache } from './product-cache.js';
import type { ProductRow } from './product.entity.js';

/** Invalidates the cached detail of a changed product, whichever path changed it. */
@Injectable()
@Consumes(ProductChanged, 'commerce.invalidate-product-cache')
export class InvalidateProductCache implements IntegrationEventConsumer<ProductChanged> {
  constructor(
    private readonly cache: ProductCache,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  async consume(event: ProductChanged): Promise<void> {
    const [row] = await this.db.query<Pick<ProductRow, 'version'>[]>(
      `SELECT version FROM commerce.products WHERE id = $1`,
      [event.payload.productId],
    );
    await this.cache.invalidate(event.payload.productId, row?.version);
  }
}
