import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export const HOUR_MS = 3_600_000;

/** The clock hour (UTC) `at` falls in. */
export const hourOf = (at: Date | number): Date =>
  new Date(Math.floor(new Date(at).getTime() / HOUR_MS) * HOUR_MS);

/**
 * The hourly rollup: `video_hourly_stats` for one clock hour, **recomputed** from the raw rows —
 * views counted in the hour, the watched time of the heartbeats received in it (and how many
 * distinct viewers sent them), sessions completed in it. The hour's rows are deleted and written
 * again in one transaction under an advisory lock (two workers recomputing at once take turns),
 * so recomputing an hour any number of times gives the same numbers, and late raw rows are
 * picked up by the next run.
 */
@Injectable()
export class Rollups {
  private readonly logger = new Logger(Rollups.name);

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Recomputes the hour that starts at `hour` (truncated to its clock hour) → videos written. */
  async recompute(hour: Date): Promise<number> {
    const start = hourOf(hour);
    const written = await this.db.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('streaming.analytics-rollup'))`);
      await m.query(`DELETE FROM streaming.video_hourly_stats WHERE hour = $1`, [start]);
      const rows = await m.query<{ video_id: string }[]>(
        `WITH win AS (SELECT $1::timestamptz AS lo, $1::timestamptz + interval '1 hour' AS hi),
         hb AS (SELECT h.video_id, sum(h.watched_ms)::bigint AS watch_ms,
                       count(DISTINCT h.viewer_id)::int AS viewers
                  FROM streaming.watch_heartbeats h, win WHERE h.at >= win.lo AND h.at < win.hi
                 GROUP BY h.video_id),
         vw AS (SELECT v.video_id, count(*)::int AS views
                  FROM streaming.views v, win WHERE v.at >= win.lo AND v.at < win.hi
                 GROUP BY v.video_id),
         cp AS (SELECT s.video_id, count(*)::int AS completions
                  FROM streaming.watch_sessions s, win
                 WHERE s.completed_at >= win.lo AND s.completed_at < win.hi
                 GROUP BY s.video_id),
         ids AS (SELECT video_id FROM hb UNION SELECT video_id FROM vw UNION SELECT video_id FROM cp)
         INSERT INTO streaming.video_hourly_stats
                (video_id, hour, views, watch_ms, completions, unique_viewers, computed_at)
         SELECT ids.video_id, $1, coalesce(vw.views, 0), coalesce(hb.watch_ms, 0),
                coalesce(cp.completions, 0), coalesce(hb.viewers, 0), now()
           FROM ids LEFT JOIN hb USING (video_id) LEFT JOIN vw USING (video_id)
                LEFT JOIN cp USING (video_id)
         RETURNING video_id`,
        [start],
      );
      return rows.length;
    });
    this.logger.debug({ hour: start.toISOString(), videos: written }, 'hourly stats recomputed');
    return written;
  }

  /** The current and the previous hour (late heartbeats of the hour that just ended). */
  async recomputeRecent(now = new Date()): Promise<number> {
    const current = hourOf(now);
    const previous = new Date(current.getTime() - HOUR_MS);
    return (await this.recompute(previous)) + (await this.recompute(current));
  }
}
