import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A product. `search` is a trigger-maintained, weighted tsvector (name A, description B) behind a GIN
 * index: PostgreSQL full-text search stands in for Elasticsearch (ARCHITECTURE §9).
 */
@Entity({ schema: 'commerce', name: 'products' })
@Index('products_sku_key', ['sku'], { unique: true })
@Index('products_category_idx', ['categoryId'])
@Index('products_price_idx', ['price'])
export class Product {
  @PrimaryColumn('uuid') id: string;
  @Column('text') sku: string;
  @Column('text') name: string;
  @Column('text', { default: '' }) description: string;
  /** Minor units. */
  @Column('bigint') price: string;
  @Column('char', { length: 3 }) currency: string;
  @Column('uuid', { name: 'category_id', nullable: true }) categoryId: string | null;
  @Column('jsonb', { default: () => `'{}'` }) attributes: Record<string, unknown>;
  @Column('boolean', { default: true }) active: boolean;
  @Column('int', { default: 1 }) version: number;
  // Kept by a trigger (weights: name A, description B) and GIN-indexed, both in the migration:
  // TypeORM's generated columns tie their metadata to one database name, which breaks
  // template-cloned databases.
  @Index('products_search_idx', { synchronize: false })
  @Column({ type: 'tsvector', nullable: true, select: false, insert: false, update: false })
  search: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
}

/**
 * A `commerce.products` row as raw SQL returns it (the one row type of this table; the catalog's
 * hot reads stay raw SQL). `bigint` arrives as a string, `char(3)` may carry padding.
 */
export interface ProductRow {
  id: string;
  sku: string;
  name: string;
  description: string;
  price: string;
  currency: string;
  category_id: string | null;
  attributes: Record<string, unknown> | null;
  active: boolean;
  version: number;
  search?: string | null;
  created_at: Date;
  updated_at: Date;
}
