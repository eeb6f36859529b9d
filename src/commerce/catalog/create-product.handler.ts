import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { isUniqueViolation, Transactions } from '@app/platform';
import { v7 as uuidv7 } from 'uuid';
import { CommerceError } from '../commerce.error.js';
import { ProductChanged } from './catalog-internal.events.js';
import { assertCategory } from './categories.js';
import { mapProduct, type CreateProductRequest, type ProductResponse } from './catalog.dto.js';
import { ProductCache } from './product-cache.js';
import type { ProductRow } from './product.entity.js';

export class CreateProduct extends Command<ProductResponse> {
  constructor(readonly request: CreateProductRequest) {
    super();
  }
}

@CommandHandler(CreateProduct)
export class CreateProductHandler implements ICommandHandler<CreateProduct> {
  constructor(
    private readonly transactions: Transactions,
    private readonly cache: ProductCache,
  ) {}

  async execute({ request: r }: CreateProduct): Promise<ProductResponse> {
    try {
      return await this.transactions.run(async (tx) => {
        await assertCategory(tx.manager, r.categoryId);
        const [row] = await tx.manager.query<ProductRow[]>(
          `INSERT INTO commerce.products (id, sku, name, description, price, currency, category_id, attributes)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
          [
            uuidv7(),
            r.sku,
            r.name,
            r.description,
            r.price,
            r.currency,
            r.categoryId ?? null,
            JSON.stringify(r.attributes ?? {}),
          ],
        );
        const product = mapProduct(row!);
        await tx.manager.query(
          `INSERT INTO commerce.inventory (sku) VALUES ($1) ON CONFLICT (sku) DO NOTHING`,
          [r.sku],
        );
        await tx.publish(new ProductChanged({ productId: product.id }));
        tx.afterCommit(() => this.cache.invalidate(product.id, product.version));
        return product;
      });
    } catch (err) {
      if (isUniqueViolation(err, 'products_sku_key'))
        throw new CommerceError('commerce.sku_taken', `SKU ${r.sku} already exists.`);
      throw err;
    }
  }
}
