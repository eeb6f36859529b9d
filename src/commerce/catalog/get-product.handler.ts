import { Logger } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CommerceError } from '../commerce.error.js';
import { mapProduct, type ProductResponse } from './catalog.dto.js';
import { ProductCache } from './product-cache.js';
import type { ProductRow } from './product.entity.js';

export class GetProduct extends Query<ProductResponse> {
  constructor(readonly id: string) {
    super();
  }
}

/** Cache-aside read of an active product (see ProductCache). */
@QueryHandler(GetProduct)
export class GetProductHandler implements IQueryHandler<GetProduct> {
  private readonly logger = new Logger(GetProductHandler.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly cache: ProductCache,
  ) {}

  async execute({ id }: GetProduct): Promise<ProductResponse> {
    const cached = await this.cache.get(id);
    if (cached) return cached;
    const [row] = await this.db.query<ProductRow[]>(
      `SELECT * FROM commerce.products WHERE id = $1 AND active`,
      [id],
    );
    if (!row) throw new CommerceError('commerce.product_not_found', `No product ${id}.`);
    const product = mapProduct(row);
    // The read is answered from PostgreSQL either way; a failed cache fill only costs the next read.
    await this.cache
      .set(product)
      .catch((err) => this.logger.warn({ err, productId: id }, 'could not cache a product'));
    return product;
  }
}
