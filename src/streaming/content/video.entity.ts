import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const VISIBILITIES = ['public', 'unlisted', 'private', 'subscribers'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

/** `UPLOADING → UPLOADED → PROCESSING → READY | FAILED` (README › Streaming). */
export const VIDEO_STATES = ['UPLOADING', 'UPLOADED', 'PROCESSING', 'READY', 'FAILED'] as const;
export type VideoState = (typeof VIDEO_STATES)[number];

export const RENDITION_STATES = ['PENDING', 'ENCODING', 'DONE', 'FAILED'] as const;
export type RenditionState = (typeof RENDITION_STATES)[number];

/**
 * A video of a channel (the channel is the uploader: `channel_id` is their user id). Its source
 * and every output live in the platform storage under `streaming/videos/{id}/` (video-keys.ts).
 * `search` is a trigger-maintained, weighted tsvector (title A, tags B, description C) behind a
 * GIN index, both in the search migration.
 */
@Entity({ schema: 'streaming', name: 'videos' })
@Index('videos_channel_idx', ['channelId', 'id'])
@Index('videos_state_idx', ['state', 'id'])
export class Video {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'channel_id' }) channelId: string;
  /** Trigram GIN index (pg_trgm, search migration): typo-tolerant title search. */
  @Index('videos_title_trgm_idx', { synchronize: false })
  @Column('text')
  title: string;
  @Column('text', { default: '' }) description: string;
  @Column('text', { array: true, default: () => `'{}'` }) tags: string[];
  @Column('text') visibility: Visibility;
  @Column('text') state: VideoState;
  @Column('text', { name: 'failure_reason', nullable: true }) failureReason: string | null;
  /** The uploaded file as it came (`streaming/videos/{id}/source`); null while UPLOADING. */
  @Column('text', { name: 'source_key', nullable: true }) sourceKey: string | null;
  @Column('bigint', { name: 'source_bytes', nullable: true }) sourceBytes: string | null;
  /** ffprobe's reading of the source: duration, display size (rotation applied), fps, audio. */
  @Column('int', { name: 'duration_ms', nullable: true }) durationMs: number | null;
  @Column('int', { nullable: true }) width: number | null;
  @Column('int', { nullable: true }) height: number | null;
  @Column('real', { nullable: true }) fps: number | null;
  @Column('boolean', { name: 'has_audio', nullable: true }) hasAudio: boolean | null;
  /** The HLS master playlist, once packaged. */
  @Column('text', { name: 'master_key', nullable: true }) masterKey: string | null;
  /** Set in the transaction that publishes `streaming.video-ready`: the exactly-once guard. */
  @Column('timestamptz', { name: 'ready_at', nullable: true }) readyAt: Date | null;
  /** Counted views (analytics: after 10 s of watching, once per viewer per hour). */
  @Column('bigint', { default: 0 }) views: string;
  @Index('videos_search_idx', { synchronize: false })
  @Column({ type: 'tsvector', nullable: true, select: false, insert: false, update: false })
  search: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
}

/** A `streaming.videos` row as raw SQL returns it (`bigint` arrives as a string). */
export interface VideoRow {
  id: string;
  channel_id: string;
  title: string;
  description: string;
  tags: string[];
  visibility: Visibility;
  state: VideoState;
  failure_reason: string | null;
  source_key: string | null;
  source_bytes: string | null;
  duration_ms: number | null;
  width: number | null;
  height: number | null;
  fps: number | null;
  has_audio: boolean | null;
  master_key: string | null;
  ready_at: Date | null;
  views: string;
  created_at: Date;
  updated_at: Date;
}

/**
 * One rung of a video's ladder (`1080p`, `720p`, `480p`), planned when the video is accepted —
 * only the rungs its source allows (never upscaled). Encoded by its own `streaming.encode` job.
 */
@Entity({ schema: 'streaming', name: 'renditions' })
export class Rendition {
  @PrimaryColumn('uuid', { name: 'video_id' }) videoId: string;
  @PrimaryColumn('text') name: string;
  @Column('int') width: number;
  @Column('int') height: number;
  @Column('real') fps: number;
  /** Target and peak video bitrates, kbit/s (the ladder table in encode/ladder.ts). */
  @Column('int', { name: 'video_kbps' }) videoKbps: number;
  @Column('int', { name: 'max_kbps' }) maxKbps: number;
  /** Null: the source has no audio, so neither has the rendition. */
  @Column('int', { name: 'audio_kbps', nullable: true }) audioKbps: number | null;
  @Column('text', { default: 'PENDING' }) state: RenditionState;
  @Column('real', { default: 0 }) percent: number;
  @Column('int', { default: 0 }) attempts: number;
  /** The last lines of ffmpeg's error output when it failed (never the whole log). */
  @Column('text', { nullable: true }) error: string | null;
  /** Measured from the output, for the master playlist. */
  @Column('int', { nullable: true }) bandwidth: number | null;
  @Column('int', { name: 'average_bandwidth', nullable: true }) averageBandwidth: number | null;
  @Column('text', { nullable: true }) codecs: string | null;
  /** Its media playlist (`…/hls/{name}/index.m3u8`), once encoded. */
  @Column('text', { name: 'playlist_key', nullable: true }) playlistKey: string | null;
  /** Its objects (init segment, media segments), for clean-up and for the package step. */
  @Column('text', { name: 'segment_keys', array: true, default: () => `'{}'` })
  segmentKeys: string[];
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
}

/** A `streaming.renditions` row as raw SQL returns it. */
export interface RenditionRow {
  video_id: string;
  name: string;
  width: number;
  height: number;
  fps: number;
  video_kbps: number;
  max_kbps: number;
  audio_kbps: number | null;
  state: RenditionState;
  percent: number;
  attempts: number;
  error: string | null;
  bandwidth: number | null;
  average_bandwidth: number | null;
  codecs: string | null;
  playlist_key: string | null;
  segment_keys: string[];
  updated_at: Date;
}

/** The video's timeline: one row per state it entered (and per rendition retry or re-drive). */
@Entity({ schema: 'streaming', name: 'video_timeline' })
@Index('video_timeline_video_idx', ['videoId', 'id'])
export class VideoTimelineEntry {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'video_id' }) videoId: string;
  @Column('text') state: string;
  @Column('text', { nullable: true }) detail: string | null;
  @Column('timestamptz', { default: () => 'now()' }) at: Date;
}
