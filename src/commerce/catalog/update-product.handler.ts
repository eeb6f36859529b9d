import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactions } from '@app/platform';
import { CommerceError } from '../commerce.error.js';
import { ProductChanged } from './catalog-internal.events.js';
import { assertCategory } from './categories.js';
import { mapProduct, type ProductResponse, type UpdateProductRequest } from './catalog.dto.js';
import { ProductCache } from './product-cache.js';
import type { ProductRow } from './product.entity.js';

/** Changes a product; `{ active: false }` withdraws it (DELETE does that too). */
export class UpdateProduct extends Command<ProductResponse> {
  constructor(
    readonly id: string,
    readonly request: UpdateProductRequest,
  ) {
    super();
  }
}

@CommandHandler(UpdateProduct)
export class UpdateProductHandler implements ICommandHandler<UpdateProduct> {
  constructor(
    private readonly transactions: Transactions,
    private readonly cache: ProductCache,
  ) {}

  async execute({ id, request: r }: UpdateProduct): Promise<ProductResponse> {
    const product = await this.transactions.run(async (tx) => {
      await assertCategory(tx.manager, r.categoryId);
      // An UPDATE … RETURNING answers [rows, count].
      const [[updated]] = await tx.manager.query<[ProductRow[], number]>(
        `UPDATE commerce.products SET
            name = COALESCE($2, name), description = COALESCE($3, description), price = COALESCE($4, price),
            category_id = COALESCE($5, category_id), attributes = COALESCE($6::jsonb, attributes),
            active = COALESCE($7, active), version = version + 1, updated_at = now()
          WHERE id = $1 RETURNING *`,
        [
          id,
          r.name ?? null,
          r.description ?? null,
          r.price ?? null,
          r.categoryId ?? null,
          r.attributes ? JSON.stringify(r.attributes) : null,
          r.active ?? null,
        ],
      );
      if (!updated) throw new CommerceError('commerce.product_not_found', `No product ${id}.`);
      await tx.publish(new ProductChanged({ productId: id }));
      return mapProduct(updated);
    });
    // After the commit, before answering: a read that follows this response never sees the old copy.
    await this.cache.invalidate(id, product.version);
    return product;
  }
}
