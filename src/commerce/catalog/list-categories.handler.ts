import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { mapCategory, type CategoryResponse } from './catalog.dto.js';
import type { CategoryRow } from './category.entity.js';

export class ListCategories extends Query<CategoryResponse[]> {}

@QueryHandler(ListCategories)
export class ListCategoriesHandler implements IQueryHandler<ListCategories> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute(): Promise<CategoryResponse[]> {
    const rows = await this.db.query<CategoryRow[]>(
      `SELECT * FROM commerce.categories ORDER BY path`,
    );
    return rows.map(mapCategory);
  }
}
