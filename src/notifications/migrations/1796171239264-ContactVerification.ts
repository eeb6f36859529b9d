import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Contact verification (issue #11): an email or phone receives nothing but its own verification
 * code until confirmed. `*_verified_at` on recipients, and one pending code per user and channel
 * (only its hash is stored).
 */
export class ContactVerification1796171239264 implements MigrationInterface {
  name = 'ContactVerification1796171239264';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "notifications"."recipients"
    ADD "email_verified_at" TIMESTAMP WITH TIME ZONE,
    ADD "phone_verified_at" TIMESTAMP WITH TIME ZONE`);
    await q.query(`CREATE TABLE "notifications"."contact_verifications" (
    "user_id" uuid NOT NULL,
    "channel" text NOT NULL,
    "contact" text NOT NULL,
    "code_hash" text NOT NULL,
    "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
    "attempts" integer NOT NULL DEFAULT '0',
    "sends" integer NOT NULL DEFAULT '0',
    "window_started_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    CONSTRAINT "PK_contact_verifications" PRIMARY KEY ("user_id", "channel")
)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "notifications"."contact_verifications"`);
    await q.query(`ALTER TABLE "notifications"."recipients"
    DROP COLUMN "phone_verified_at",
    DROP COLUMN "email_verified_at"`);
  }
}
