import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A node of the category tree. `path` is the chain of slugs from the root (`/home/kitchen/`). */
@Entity({ schema: 'commerce', name: 'categories' })
@Index('categories_slug_key', ['slug'], { unique: true })
@Index('categories_path_idx', ['path'])
export class Category {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'parent_id', nullable: true }) parentId: string | null;
  @Column('text') name: string;
  @Column('text') slug: string;
  @Column('text') path: string;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
}

/** A `commerce.categories` row as raw SQL returns it (the one row type of this table). */
export interface CategoryRow {
  id: string;
  parent_id: string | null;
  name: string;
  slug: string;
  path: string;
  created_at: Date;
}
