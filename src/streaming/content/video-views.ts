import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { VideoView } from './video.dto.js';
import type { RenditionRow, VideoRow } from './video.entity.js';
import { isOwner, type Viewer } from './video-access.js';

interface TimelineRow {
  video_id: string;
  state: string;
  detail: string | null;
  at: Date;
}

type Queryable = Pick<EntityManager, 'query'>;

/** Appends an entry to a video's timeline (in the caller's transaction, when given one). */
export async function addTimeline(
  db: Queryable,
  videoId: string,
  state: string,
  detail: string | null = null,
): Promise<void> {
  await db.query(
    `INSERT INTO streaming.video_timeline (id, video_id, state, detail) VALUES ($1, $2, $3, $4)`,
    [uuidv7(), videoId, state, detail?.slice(0, 2000) ?? null],
  );
}

/** The URLs a channel sends its file to while the video is UPLOADING. */
export const uploadLinks = (videoId: string) => ({
  multipartUrl: `/v1/streaming/videos/${videoId}/source`,
  tusUrl: '/v1/streaming/uploads',
});

/**
 * Video rows → what clients see: with their renditions (highest first) and timeline (oldest
 * first), two queries whatever the number of videos.
 */
@Injectable()
export class VideoViews {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async one(video: VideoRow, viewer: Viewer, db: Queryable = this.db): Promise<VideoView> {
    const [view] = await this.many([video], viewer, db);
    return view!;
  }

  async many(videos: VideoRow[], viewer: Viewer, db: Queryable = this.db): Promise<VideoView[]> {
    if (videos.length === 0) return [];
    const ids = videos.map((v) => v.id);
    const [renditions, timeline] = await Promise.all([
      db.query<RenditionRow[]>(
        `SELECT * FROM streaming.renditions WHERE video_id = ANY($1::uuid[])
          ORDER BY video_id, height DESC, name`,
        [ids],
      ),
      db.query<TimelineRow[]>(
        `SELECT video_id, state, detail, at FROM streaming.video_timeline
          WHERE video_id = ANY($1::uuid[]) ORDER BY video_id, id`,
        [ids],
      ),
    ]);
    return videos.map((v) =>
      toVideoView(
        v,
        renditions.filter((r) => r.video_id === v.id),
        timeline.filter((e) => e.video_id === v.id),
        isOwner(v, viewer),
      ),
    );
  }
}

export function toVideoView(
  v: VideoRow,
  renditions: RenditionRow[],
  timeline: TimelineRow[],
  owner: boolean,
): VideoView {
  return {
    id: v.id,
    channelId: v.channel_id,
    title: v.title,
    description: v.description,
    tags: v.tags,
    visibility: v.visibility,
    state: v.state,
    failureReason: v.failure_reason,
    durationMs: v.duration_ms,
    width: v.width,
    height: v.height,
    fps: v.fps,
    hasAudio: v.has_audio,
    sourceBytes: v.source_bytes === null ? null : Number(v.source_bytes),
    views: Number(v.views),
    renditions: renditions.map((r) => ({
      name: r.name,
      width: r.width,
      height: r.height,
      state: r.state,
      percent: r.percent,
      attempts: r.attempts,
      error: r.error,
    })),
    timeline: timeline.map((e) => ({
      state: e.state,
      detail: e.detail,
      at: new Date(e.at).toISOString(),
    })),
    ...(owner && v.state === 'UPLOADING' ? { upload: uploadLinks(v.id) } : {}),
    readyAt: v.ready_at ? new Date(v.ready_at).toISOString() : null,
    createdAt: new Date(v.created_at).toISOString(),
    updatedAt: new Date(v.updated_at).toISOString(),
  };
}
