import type { MigrationInterface, QueryRunner } from 'typeorm';

/** `platform.outbox.traceparent`: the W3C trace context of the span that published the event. */
export class OutboxTraceparent1795500000000 implements MigrationInterface {
  name = 'OutboxTraceparent1795500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "platform"."outbox" ADD "traceparent" text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "platform"."outbox" DROP COLUMN "traceparent"`);
  }
}
