import type { EntityManager } from 'typeorm';
import { CommerceError } from '../commerce.error.js';
import type { CategoryRow } from './category.entity.js';

/** The category's path, or `commerce.category_not_found`. */
export async function categoryPath(manager: EntityManager, id: string): Promise<string> {
  const [row] = await manager.query<Pick<CategoryRow, 'path'>[]>(
    `SELECT path FROM commerce.categories WHERE id = $1`,
    [id],
  );
  if (!row) throw new CommerceError('commerce.category_not_found', `No category ${id}.`);
  return row.path;
}

/** Nothing to check without an id; otherwise the category must exist. */
export async function assertCategory(
  manager: EntityManager,
  id: string | undefined,
): Promise<void> {
  if (!id) return;
  const [row] = await manager.query<unknown[]>(`SELECT 1 FROM commerce.categories WHERE id = $1`, [
    id,
  ]);
  if (!row) throw new CommerceError('commerce.category_not_found', `No category ${id}.`);
}
