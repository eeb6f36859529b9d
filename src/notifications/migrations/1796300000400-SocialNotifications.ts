import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Social notifications (issue #12): who caused a notification (`actor_id`, `actor_name`) and the
 * burst it belongs to (`group_key`, e.g. `social.post-liked:<postId>`), so the inbox can show
 * "Ann and 12 others liked your post"; an index for the unread members of a group.
 */
export class SocialNotifications1796300000400 implements MigrationInterface {
  name = 'SocialNotifications1796300000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "notifications"."notifications"
    ADD "group_key" text,
    ADD "actor_id" uuid,
    ADD "actor_name" text`);
    await q.query(`CREATE INDEX "notifications_group_idx" ON "notifications"."notifications" ("user_id", "group_key", "created_at")
WHERE group_key IS NOT NULL AND read_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "notifications"."notifications_group_idx"`);
    await q.query(`ALTER TABLE "notifications"."notifications"
    DROP COLUMN "actor_name",
    DROP COLUMN "actor_id",
    DROP COLUMN "group_key"`);
  }
}
