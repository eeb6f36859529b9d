import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One player session of a viewer on a video (`sessionId` is the player's, a UUID it makes per
 * playback): the watched time its heartbeats added up (each clamped to 30 s), where it is, and
 * whether it has counted a view (after 10 s) and completed (position ≥ 90 % of the duration).
 * Heartbeats of one session serialise on this row (the upsert locks it).
 */
@Entity({ schema: 'streaming', name: 'watch_sessions' })
@Index('watch_sessions_completed_idx', ['completedAt'])
export class WatchSession {
  @PrimaryColumn('uuid', { name: 'video_id' }) videoId: string;
  @PrimaryColumn('uuid', { name: 'viewer_id' }) viewerId: string;
  @PrimaryColumn('uuid', { name: 'session_id' }) sessionId: string;
  @Column('bigint', { name: 'watched_ms', default: 0 }) watchedMs: string;
  @Column('int', { name: 'position_ms', default: 0 }) positionMs: number;
  @Column('int', { default: 0 }) heartbeats: number;
  /** When this session counted a view (a session counts at most one). */
  @Column('timestamptz', { name: 'counted_at', nullable: true }) countedAt: Date | null;
  /** When it reached 90 % of the video (`streaming.watch-completed`, once per session). */
  @Column('timestamptz', { name: 'completed_at', nullable: true }) completedAt: Date | null;
  @Column('timestamptz', { name: 'started_at', default: () => 'now()' }) startedAt: Date;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
}

/** One accepted heartbeat, as stored (watched time already clamped): the rollups' raw rows. */
@Entity({ schema: 'streaming', name: 'watch_heartbeats' })
@Index('watch_heartbeats_at_idx', ['at'])
export class WatchHeartbeat {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'video_id' }) videoId: string;
  @Column('uuid', { name: 'viewer_id' }) viewerId: string;
  @Column('uuid', { name: 'session_id' }) sessionId: string;
  @Column('int', { name: 'watched_ms' }) watchedMs: number;
  @Column('int', { name: 'position_ms' }) positionMs: number;
  /** `play`, `pause`, `ended`, or null for a periodic heartbeat. */
  @Column('text', { nullable: true }) event: string | null;
  @Column('timestamptz', { default: () => 'now()' }) at: Date;
}

/**
 * A counted view. The unique key (viewer, video, clock hour) is a second guard under the
 * sliding one-hour rule of `last_views`: two views of one viewer at least an hour apart always
 * fall in different clock hours, so a double count cannot be written at all.
 */
@Entity({ schema: 'streaming', name: 'views' })
@Index('views_once_per_hour', ['viewerId', 'videoId', 'hour'], { unique: true })
@Index('views_at_idx', ['at'])
export class ViewRecord {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'video_id' }) videoId: string;
  @Column('uuid', { name: 'viewer_id' }) viewerId: string;
  @Column('uuid', { name: 'session_id' }) sessionId: string;
  @Column('timestamptz') at: Date;
  /** `date_trunc('hour', at)`. */
  @Column('timestamptz') hour: Date;
}

/**
 * When a viewer's last view of a video was counted: a view counts only when this is at least an
 * hour old (PeerTube's rule), checked and moved in one atomic upsert.
 */
@Entity({ schema: 'streaming', name: 'last_views' })
export class LastView {
  @PrimaryColumn('uuid', { name: 'viewer_id' }) viewerId: string;
  @PrimaryColumn('uuid', { name: 'video_id' }) videoId: string;
  @Column('timestamptz', { name: 'last_view_at' }) lastViewAt: Date;
}

/**
 * One video's numbers for one clock hour, recomputed from the raw rows (views, heartbeats,
 * completed sessions) by the `streaming.analytics-rollup` job: recomputing gives the same row.
 */
@Entity({ schema: 'streaming', name: 'video_hourly_stats' })
@Index('video_hourly_stats_hour_idx', ['hour'])
export class VideoHourlyStats {
  @PrimaryColumn('uuid', { name: 'video_id' }) videoId: string;
  @PrimaryColumn('timestamptz') hour: Date;
  @Column('int', { default: 0 }) views: number;
  @Column('bigint', { name: 'watch_ms', default: 0 }) watchMs: string;
  @Column('int', { default: 0 }) completions: number;
  /** Distinct viewers who sent a heartbeat in the hour. */
  @Column('int', { name: 'unique_viewers', default: 0 }) uniqueViewers: number;
  @Column('timestamptz', { name: 'computed_at', default: () => 'now()' }) computedAt: Date;
}

export const ANALYTICS_ENTITIES = [
  WatchSession,
  WatchHeartbeat,
  ViewRecord,
  LastView,
  VideoHourlyStats,
];

/** A `streaming.watch_sessions` row as raw SQL returns it. */
export interface WatchSessionRow {
  video_id: string;
  viewer_id: string;
  session_id: string;
  watched_ms: string;
  position_ms: number;
  heartbeats: number;
  counted_at: Date | null;
  completed_at: Date | null;
  started_at: Date;
  updated_at: Date;
}
