import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { ADMIN_ROLE, ValidationFailed, type Principal } from '@app/platform';
import { DataSource } from 'typeorm';
import { StreamingError } from '../streaming.error.js';
import {
  MAX_ANALYTICS_DAYS,
  MAX_ANALYTICS_VIDEOS,
  type AnalyticsNumbers,
  type ChannelAnalytics,
  type ChannelAnalyticsQuery,
} from './analytics.dto.js';
import { HOUR_MS, hourOf } from './rollups.js';

export class GetChannelAnalytics extends Query<ChannelAnalytics> {
  constructor(
    readonly viewer: Pick<Principal, 'userId' | 'roles'>,
    readonly channelId: string,
    readonly query: ChannelAnalyticsQuery,
  ) {
    super();
  }
}

interface NumbersRow {
  views: string;
  watch_ms: string;
  completions: string;
}

const numbers = (r: NumbersRow | undefined): AnalyticsNumbers => {
  const views = Number(r?.views ?? 0);
  const completions = Number(r?.completions ?? 0);
  return {
    views,
    watchMs: Number(r?.watch_ms ?? 0),
    completions,
    completionRate: views > 0 ? Math.round(Math.min(1, completions / views) * 1e4) / 1e4 : 0,
  };
};

const SUMS = `coalesce(sum(s.views), 0) AS views, coalesce(sum(s.watch_ms), 0) AS watch_ms,
  coalesce(sum(s.completions), 0) AS completions`;

/**
 * A channel's analytics over [from, to), read from the hourly rollup (`video_hourly_stats`, at
 * most STREAMING_ROLLUP_EVERY_MS behind): totals, per video, and every hour of the range. Only
 * the channel itself and admins; anyone else 403 `streaming.analytics_forbidden` (a channel id
 * is a public user id, so the 403 tells nothing a 404 would hide).
 */
@QueryHandler(GetChannelAnalytics)
export class GetChannelAnalyticsHandler implements IQueryHandler<GetChannelAnalytics> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ viewer, channelId, query }: GetChannelAnalytics): Promise<ChannelAnalytics> {
    if (viewer.userId !== channelId && !viewer.roles.includes(ADMIN_ROLE)) {
      throw new StreamingError(
        'streaming.analytics_forbidden',
        'Only the channel itself and admins see its analytics.',
      );
    }
    const to = query.to ? new Date(query.to) : new Date();
    const from = hourOf(query.from ? new Date(query.from) : to.getTime() - 7 * 24 * HOUR_MS);
    if (from.getTime() >= to.getTime()) {
      throw new ValidationFailed([{ field: 'from', messages: ['from must be before to'] }]);
    }
    if (to.getTime() - from.getTime() > MAX_ANALYTICS_DAYS * 24 * HOUR_MS) {
      throw new ValidationFailed([
        { field: 'from', messages: [`from must be at most ${MAX_ANALYTICS_DAYS} days before to`] },
      ]);
    }
    const range = [channelId, from, to];
    const inRange = `s.hour >= $2 AND s.hour < $3`;
    const [totals, videos, hourly, [computed]] = await Promise.all([
      this.db.query<NumbersRow[]>(
        `SELECT ${SUMS}
           FROM streaming.video_hourly_stats s JOIN streaming.videos v ON v.id = s.video_id
          WHERE v.channel_id = $1 AND ${inRange}`,
        range,
      ),
      this.db.query<(NumbersRow & { id: string; title: string; lifetime: string })[]>(
        `SELECT v.id, v.title, v.views AS lifetime, ${SUMS}
           FROM streaming.videos v
           LEFT JOIN streaming.video_hourly_stats s ON s.video_id = v.id AND ${inRange}
          WHERE v.channel_id = $1
          GROUP BY v.id
          ORDER BY coalesce(sum(s.views), 0) DESC, v.id DESC
          LIMIT ${MAX_ANALYTICS_VIDEOS}`,
        range,
      ),
      this.db.query<(NumbersRow & { hour: Date; viewers: string })[]>(
        `WITH hours AS (
           SELECT generate_series($2::timestamptz, $3::timestamptz - interval '1 microsecond',
                                  interval '1 hour') AS hour)
         SELECT h.hour, ${SUMS}, coalesce(sum(s.unique_viewers), 0) AS viewers
           FROM hours h
           LEFT JOIN (streaming.video_hourly_stats s
                      JOIN streaming.videos v ON v.id = s.video_id AND v.channel_id = $1)
                  ON s.hour = h.hour
          GROUP BY h.hour ORDER BY h.hour`,
        range,
      ),
      this.db.query<{ at: Date | null }[]>(
        `SELECT max(s.computed_at) AS at
           FROM streaming.video_hourly_stats s JOIN streaming.videos v ON v.id = s.video_id
          WHERE v.channel_id = $1`,
        [channelId],
      ),
    ]);
    return {
      channelId,
      from: from.toISOString(),
      to: to.toISOString(),
      totals: numbers(totals[0]),
      videos: videos.map((r) => ({
        videoId: r.id,
        title: r.title,
        lifetimeViews: Number(r.lifetime),
        ...numbers(r),
      })),
      hourly: hourly.map((r) => ({
        hour: r.hour.toISOString(),
        uniqueViewers: Number(r.viewers),
        ...numbers(r),
      })),
      computedAt: computed?.at ? computed.at.toISOString() : null,
    };
  }
}
