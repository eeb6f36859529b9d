import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { isUniqueViolation, Transactions } from '@app/platform';
import { v7 as uuidv7 } from 'uuid';
import { CommerceError } from '../commerce.error.js';
import { categoryPath } from './categories.js';
import { mapCategory, type CategoryResponse, type CreateCategoryRequest } from './catalog.dto.js';
import type { CategoryRow } from './category.entity.js';

export class CreateCategory extends Command<CategoryResponse> {
  constructor(readonly request: CreateCategoryRequest) {
    super();
  }
}

@CommandHandler(CreateCategory)
export class CreateCategoryHandler implements ICommandHandler<CreateCategory> {
  constructor(private readonly transactions: Transactions) {}

  async execute({ request }: CreateCategory): Promise<CategoryResponse> {
    try {
      return await this.transactions.run(async (tx) => {
        const parentPath = request.parentId
          ? await categoryPath(tx.manager, request.parentId)
          : '/';
        const [row] = await tx.manager.query<CategoryRow[]>(
          `INSERT INTO commerce.categories (id, parent_id, name, slug, path) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
          [
            uuidv7(),
            request.parentId ?? null,
            request.name,
            request.slug,
            `${parentPath}${request.slug}/`,
          ],
        );
        return mapCategory(row!);
      });
    } catch (err) {
      if (isUniqueViolation(err, 'categories_slug_key'))
        throw new CommerceError('commerce.slug_taken', `Slug ${request.slug} is taken.`);
      throw err;
    }
  }
}
