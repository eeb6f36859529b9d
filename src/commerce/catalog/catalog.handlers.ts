import {
  Command,
  CommandHandler,
  ICommandHandler,
  IQueryHandler,
  Query,
  QueryHandler,
} from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { ProductChanged } from '@app/contracts';
import { isUniqueViolation, Transactions, type Tx } from '@app/platform';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { CommerceError } from '../commerce.error.js';
import {
  mapProduct,
  type CategoryResponse,
  type CreateCategoryRequest,
  type CreateProductRequest,
  type ProductResponse,
  type UpdateProductRequest,
} from './catalog.dto.js';
import { ProductCache } from './product-cache.js';

export class CreateCategory extends Command<CategoryResponse> {
  constructor(readonly request: CreateCategoryRequest) {
    super();
  }
}
export class ListCategories extends Query<CategoryResponse[]> {}
export class CreateProduct extends Command<ProductResponse> {
  constructor(readonly request: CreateProductRequest) {
    super();
  }
}
export class UpdateProduct extends Command<ProductResponse> {
  constructor(
    readonly id: string,
    readonly request: UpdateProductRequest,
  ) {
    super();
  }
}
export class GetProduct extends Query<ProductResponse> {
  constructor(readonly id: string) {
    super();
  }
}

const mapCategory = (r: any): CategoryResponse => ({
  id: r.id,
  parentId: r.parent_id,
  name: r.name,
  slug: r.slug,
  path: r.path,
});

async function assertCategory(tx: Tx, id: string | undefined): Promise<void> {
  if (!id) return;
  const [c] = await tx.manager.query(`SELECT 1 FROM commerce.categories WHERE id = $1`, [id]);
  if (!c) throw new CommerceError('commerce.category_not_found', `No category ${id}.`);
}

@CommandHandler(CreateCategory)
export class CreateCategoryHandler implements ICommandHandler<CreateCategory> {
  constructor(private readonly transactions: Transactions) {}

  async execute({ request }: CreateCategory): Promise<CategoryResponse> {
    try {
      return await this.transactions.run(async (tx) => {
        let path = `/${request.slug}/`;
        if (request.parentId) {
          const [parent] = await tx.manager.query(
            `SELECT path FROM commerce.categories WHERE id = $1`,
            [request.parentId],
          );
          if (!parent)
            throw new CommerceError(
              'commerce.category_not_found',
              `No category ${request.parentId}.`,
            );
          path = `${parent.path}${request.slug}/`;
        }
        const [row] = await tx.manager.query(
          `INSERT INTO commerce.categories (id, parent_id, name, slug, path) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
          [uuidv7(), request.parentId ?? null, request.name, request.slug, path],
        );
        return mapCategory(row);
      });
    } catch (err) {
      if (isUniqueViolation(err, 'categories_slug_key'))
        throw new CommerceError('commerce.slug_taken', `Slug ${request.slug} is taken.`);
      throw err;
    }
  }
}

@QueryHandler(ListCategories)
export class ListCategoriesHandler implements IQueryHandler<ListCategories> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute(): Promise<CategoryResponse[]> {
    return (await this.db.query(`SELECT * FROM commerce.categories ORDER BY path`)).map(
      mapCategory,
    );
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
        await assertCategory(tx, r.categoryId);
        const [row] = await tx.manager.query(
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
        await tx.manager.query(
          `INSERT INTO commerce.inventory (sku) VALUES ($1) ON CONFLICT (sku) DO NOTHING`,
          [r.sku],
        );
        await tx.publish(new ProductChanged({ productId: row.id }));
        tx.afterCommit(
          () => void this.cache.invalidate(row.id, row.version).catch(() => undefined),
        );
        return mapProduct(row);
      });
    } catch (err) {
      if (isUniqueViolation(err, 'products_sku_key'))
        throw new CommerceError('commerce.sku_taken', `SKU ${r.sku} already exists.`);
      throw err;
    }
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
      await assertCategory(tx, r.categoryId);
      const [row] = (await tx.manager.query(
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
      )) as [any[], number];
      const updated = row[0];
      if (!updated) throw new CommerceError('commerce.product_not_found', `No product ${id}.`);
      await tx.publish(new ProductChanged({ productId: id }));
      return mapProduct(updated);
    });
    // After the commit, before answering: a read that follows this response never sees the old copy.
    await this.cache.invalidate(id, product.version);
    return product;
  }
}

@QueryHandler(GetProduct)
export class GetProductHandler implements IQueryHandler<GetProduct> {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly cache: ProductCache,
  ) {}

  async execute({ id }: GetProduct): Promise<ProductResponse> {
    const cached = await this.cache.get(id);
    if (cached) return cached;
    const [row] = await this.db.query(`SELECT * FROM commerce.products WHERE id = $1 AND active`, [
      id,
    ]);
    if (!row) throw new CommerceError('commerce.product_not_found', `No product ${id}.`);
    const product = mapProduct(row);
    await this.cache.set(product).catch(() => undefined);
    return product;
  }
}
