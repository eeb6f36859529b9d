import type { MigrationInterface, QueryRunner } from 'typeorm';

/** `platform.outbox.internal`: events that stay inside their context (never sent to a broker). */
export class OutboxInternalEvents1795490000000 implements MigrationInterface {
  name = 'OutboxInternalEvents1795490000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "platform"."outbox" ADD "internal" boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "platform"."outbox" DROP COLUMN "internal"`);
  }
}
