import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** Views older than this do not count towards trending. */
export const TRENDING_WINDOW_HOURS = 48;
/** A view's weight halves every this many hours. */
export const TRENDING_HALF_LIFE_HOURS = 12;

export interface TrendingVideo {
  id: string;
  channelId: string;
  title: string;
  tags: string[];
  durationMs: number;
  views: number;
  /** Views counted in the last 48 h. */
  recentViews: number;
  /** log10(1 + Σ 0.5^(age_h / 12)) over those views; 0 without any. */
  score: number;
}

interface TrendingRow {
  id: string;
  channel_id: string;
  title: string;
  tags: string[];
  duration_ms: number | null;
  views: string;
  recent: number;
  score: number;
}

const COLUMNS = `v.id, v.channel_id, v.title, v.tags, v.duration_ms, v.views`;

/**
 * Trending, a "hot" score over recent views (Reddit's hot ranks on log10 of the votes; here the
 * votes are views, each decaying with its age):
 *
 *   hot(v) = log10(1 + Σ over v's views in the last 48 h of 0.5^(age in hours / 12))
 *
 * A view counts 1 now, ½ after 12 h, ¼ after a day and nothing after 48 h, so a burst today beats
 * a bigger one two days ago. READY `public` videos only. When fewer videos than asked were viewed
 * recently the list goes on with the newest ones (score 0), so it is never empty on a young
 * platform — recommendations use `top` for viewers with no history (cold start).
 */
@Injectable()
export class Trending {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The `limit` hottest videos, leaving out `excludeIds`. */
  async top(limit: number, excludeIds: readonly string[] = []): Promise<TrendingVideo[]> {
    const hot = await this.db.query<TrendingRow[]>(
      `WITH recent AS (
         SELECT w.video_id, count(*)::int AS recent,
                sum(power(0.5, extract(epoch FROM now() - w.at) / ($1 * 3600.0))) AS weight
           FROM streaming.views w
          WHERE w.at > now() - make_interval(hours => $2)
          GROUP BY w.video_id)
       SELECT ${COLUMNS}, r.recent, log(1 + r.weight)::float8 AS score
         FROM recent r JOIN streaming.videos v ON v.id = r.video_id
        WHERE v.state = 'READY' AND v.visibility = 'public' AND v.id <> ALL($3::uuid[])
        ORDER BY score DESC, r.recent DESC, v.id DESC
        LIMIT $4`,
      [TRENDING_HALF_LIFE_HOURS, TRENDING_WINDOW_HOURS, excludeIds, limit],
    );
    if (hot.length >= limit) return hot.map(toTrending);
    const newest = await this.db.query<TrendingRow[]>(
      `SELECT ${COLUMNS}, 0 AS recent, 0::float8 AS score
         FROM streaming.videos v
        WHERE v.state = 'READY' AND v.visibility = 'public' AND v.id <> ALL($1::uuid[])
        ORDER BY v.id DESC LIMIT $2`,
      [[...excludeIds, ...hot.map((r) => r.id)], limit - hot.length],
    );
    return [...hot, ...newest].map(toTrending);
  }
}

function toTrending(r: TrendingRow): TrendingVideo {
  return {
    id: r.id,
    channelId: r.channel_id,
    title: r.title,
    tags: r.tags,
    durationMs: r.duration_ms ?? 0,
    views: Number(r.views),
    recentViews: Number(r.recent),
    score: Math.round(Number(r.score) * 1e6) / 1e6,
  };
}
