import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Search over `streaming.videos`: a trigger keeps `search` (a weighted tsvector: title A, tags B,
 * description C, English stemming) up to date on every insert and on every change of those
 * columns, behind the GIN index `videos_search_idx`; and `pg_trgm` with a trigram GIN index on
 * the title for typo tolerance (`mountian` finds "Mountain"). Both indexes are declared on the
 * Video entity with `synchronize: false` (TypeORM cannot express them). Hand-written.
 */
export class StreamingSearch1796400000100 implements MigrationInterface {
  name = 'StreamingSearch1796400000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(`CREATE FUNCTION streaming.videos_search_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search := setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A')
             || setweight(to_tsvector('english', array_to_string(coalesce(NEW.tags, '{}'), ' ')), 'B')
             || setweight(to_tsvector('english', coalesce(NEW.description, '')), 'C');
  RETURN NEW;
END $$`);
    await q.query(`CREATE TRIGGER videos_search_refresh BEFORE INSERT OR UPDATE OF title, description, tags ON streaming.videos
FOR EACH ROW EXECUTE FUNCTION streaming.videos_search_refresh()`);
    // Rows written before the trigger existed.
    await q.query(`UPDATE streaming.videos SET title = title`);
    await q.query(`CREATE INDEX "videos_search_idx" ON "streaming"."videos" USING gin ("search")`);
    await q.query(
      `CREATE INDEX "videos_title_trgm_idx" ON "streaming"."videos" USING gin ("title" gin_trgm_ops)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS "streaming"."videos_title_trgm_idx"`);
    await q.query(`DROP INDEX IF EXISTS "streaming"."videos_search_idx"`);
    await q.query(`DROP TRIGGER IF EXISTS videos_search_refresh ON streaming.videos`);
    await q.query(`DROP FUNCTION IF EXISTS streaming.videos_search_refresh()`);
  }
}
