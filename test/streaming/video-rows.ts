import type { TestApp } from '@app/testing';
import { v7 as uuidv7 } from 'uuid';

/**
 * A `streaming.videos` row written straight into the database, for tests of what reads videos
 * (search, analytics, recommendations, subscriptions) — not of upload or encoding, which have
 * their own tests with real files.
 */
export async function insertVideo(
  t: TestApp,
  v: {
    channelId: string;
    title?: string;
    description?: string;
    tags?: string[];
    visibility?: 'public' | 'unlisted' | 'private' | 'subscribers';
    state?: 'UPLOADING' | 'UPLOADED' | 'PROCESSING' | 'READY' | 'FAILED';
    durationMs?: number;
    createdAt?: Date;
  },
): Promise<string> {
  const id = uuidv7();
  await t.dataSource.query(
    `INSERT INTO streaming.videos (id, channel_id, title, description, tags, visibility, state,
            duration_ms, width, height, fps, has_audio, ready_at, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1280, 720, 30, true,
             CASE WHEN $7 = 'READY' THEN now() END, $9, $9)`,
    [
      id,
      v.channelId,
      v.title ?? `Video ${id.slice(-6)}`,
      v.description ?? '',
      v.tags ?? [],
      v.visibility ?? 'public',
      v.state ?? 'READY',
      v.durationMs ?? 60_000,
      v.createdAt ?? new Date(),
    ],
  );
  return id;
}
