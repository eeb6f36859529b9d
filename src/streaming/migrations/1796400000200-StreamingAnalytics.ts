import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Analytics: watch sessions and their heartbeats (the raw rows), counted views with the
 * once-per-viewer-per-hour guards (`last_views`, and the unique `views_once_per_hour`), and the
 * hourly rollup table. Generated from analytics/analytics.entity.ts (the schema builder's DDL).
 */
export class StreamingAnalytics1796400000200 implements MigrationInterface {
  name = 'StreamingAnalytics1796400000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "streaming"."watch_sessions" ("video_id" uuid NOT NULL, "viewer_id" uuid NOT NULL, "session_id" uuid NOT NULL, "watched_ms" bigint NOT NULL DEFAULT '0', "position_ms" integer NOT NULL DEFAULT '0', "heartbeats" integer NOT NULL DEFAULT '0', "counted_at" TIMESTAMP WITH TIME ZONE, "completed_at" TIMESTAMP WITH TIME ZONE, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_768521e5eb876d08193c1ccf033" PRIMARY KEY ("video_id", "viewer_id", "session_id"))`,
    );
    await q.query(
      `CREATE INDEX "watch_sessions_completed_idx" ON "streaming"."watch_sessions" ("completed_at") `,
    );
    await q.query(
      `CREATE TABLE "streaming"."watch_heartbeats" ("id" uuid NOT NULL, "video_id" uuid NOT NULL, "viewer_id" uuid NOT NULL, "session_id" uuid NOT NULL, "watched_ms" integer NOT NULL, "position_ms" integer NOT NULL, "event" text, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_9db5cd4b573e36f926fc1cfd1fa" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE INDEX "watch_heartbeats_at_idx" ON "streaming"."watch_heartbeats" ("at") `,
    );
    await q.query(
      `CREATE TABLE "streaming"."views" ("id" uuid NOT NULL, "video_id" uuid NOT NULL, "viewer_id" uuid NOT NULL, "session_id" uuid NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "hour" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_ae7537f375649a618fff0fb2cb6" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "views_at_idx" ON "streaming"."views" ("at") `);
    await q.query(
      `CREATE UNIQUE INDEX "views_once_per_hour" ON "streaming"."views" ("viewer_id", "video_id", "hour") `,
    );
    await q.query(
      `CREATE TABLE "streaming"."last_views" ("viewer_id" uuid NOT NULL, "video_id" uuid NOT NULL, "last_view_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_411bef766d508b5e4239e2345c2" PRIMARY KEY ("viewer_id", "video_id"))`,
    );
    await q.query(
      `CREATE TABLE "streaming"."video_hourly_stats" ("video_id" uuid NOT NULL, "hour" TIMESTAMP WITH TIME ZONE NOT NULL, "views" integer NOT NULL DEFAULT '0', "watch_ms" bigint NOT NULL DEFAULT '0', "completions" integer NOT NULL DEFAULT '0', "unique_viewers" integer NOT NULL DEFAULT '0', "computed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_36940f805044390b57990ac4f0b" PRIMARY KEY ("video_id", "hour"))`,
    );
    await q.query(
      `CREATE INDEX "video_hourly_stats_hour_idx" ON "streaming"."video_hourly_stats" ("hour") `,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "streaming"."video_hourly_stats"`);
    await q.query(`DROP TABLE IF EXISTS "streaming"."last_views"`);
    await q.query(`DROP TABLE IF EXISTS "streaming"."views"`);
    await q.query(`DROP TABLE IF EXISTS "streaming"."watch_heartbeats"`);
    await q.query(`DROP TABLE IF EXISTS "streaming"."watch_sessions"`);
  }
}
