import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { RenditionRow, VideoRow } from '../content/video.entity.js';

/** Appends an entry to the video's timeline (one per state entered, retry or re-drive). */
export async function timeline(
  m: EntityManager,
  videoId: string,
  state: string,
  detail: string | null,
): Promise<void> {
  await m.query(
    `INSERT INTO streaming.video_timeline (id, video_id, state, detail) VALUES ($1, $2, $3, $4)`,
    [uuidv7(), videoId, state, detail === null ? null : detail.slice(0, 2000)],
  );
}

/** The video row locked for the transaction (serialises the ladder's completions). */
export async function lockVideo(m: EntityManager, videoId: string): Promise<VideoRow | undefined> {
  const [row] = await m.query<VideoRow[]>(
    `SELECT * FROM streaming.videos WHERE id = $1 FOR UPDATE`,
    [videoId],
  );
  return row;
}

export async function renditionsOf(m: EntityManager, videoId: string): Promise<RenditionRow[]> {
  return m.query<RenditionRow[]>(
    `SELECT * FROM streaming.renditions WHERE video_id = $1 ORDER BY height * width DESC, name`,
    [videoId],
  );
}

export async function renditionOf(
  m: EntityManager,
  videoId: string,
  name: string,
): Promise<RenditionRow | undefined> {
  const [row] = await m.query<RenditionRow[]>(
    `SELECT * FROM streaming.renditions WHERE video_id = $1 AND name = $2`,
    [videoId, name],
  );
  return row;
}

/** A one-line reason for `failure_reason`: the last non-empty line of ffmpeg's tail. */
export function shortReason(rendition: string | null, tail: string): string {
  const last = tail.trim().split('\n').filter(Boolean).pop() ?? 'unknown error';
  return `${rendition ? `${rendition}: ` : ''}${last}`.slice(0, 300);
}

/** TypeORM answers an `UPDATE … RETURNING` on PostgreSQL as `[rows, affected]`: the rows. */
export function updatedRows<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]))
    return result[0] as T[];
  return (result ?? []) as T[];
}
