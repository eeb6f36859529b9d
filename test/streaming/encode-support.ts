import { VideoUploaded } from '@app/contracts/streaming';
import { ObjectStorage, Transactions } from '@app/platform';
import type { TestApp } from '@app/testing';
import { readFileSync } from 'node:fs';
import { v7 as uuidv7 } from 'uuid';
import { videoKeys } from '../../src/streaming/content/video-keys.js';

/**
 * A video whose "accepted" source is the file at `path` (not checked by ffprobe — the point:
 * a source that breaks after the upload's probe), published as uploaded with `info`.
 */
export async function seedUploaded(
  t: TestApp,
  channelId: string,
  path: string,
  info: { width: number; height: number; fps: number; hasAudio: boolean; durationMs: number },
): Promise<string> {
  const id = uuidv7();
  const bytes = readFileSync(path);
  await t.app.get(ObjectStorage).put(videoKeys.source(id), bytes, 'video/mp4');
  await t.resolve(Transactions).run(async (tx) => {
    await tx.manager.query(
      `INSERT INTO streaming.videos (id, channel_id, title, visibility, state, source_key,
              source_bytes, duration_ms, width, height, fps, has_audio)
       VALUES ($1, $2, 'seeded', 'public', 'UPLOADED', $3, $4, $5, $6, $7, $8, $9)`,
      [
        id,
        channelId,
        videoKeys.source(id),
        bytes.length,
        info.durationMs,
        info.width,
        info.height,
        info.fps,
        info.hasAudio,
      ],
    );
    await tx.publish(
      new VideoUploaded({
        videoId: id,
        channelId,
        sourceKey: videoKeys.source(id),
        sizeBytes: bytes.length,
        ...info,
      }),
    );
  });
  return id;
}

export async function eventCount(t: TestApp, type: string, videoId: string): Promise<number> {
  const [{ n }] = await t.dataSource.query(
    `SELECT count(*)::int AS n FROM platform.outbox WHERE type = $1 AND payload->>'videoId' = $2`,
    [type, videoId],
  );
  return n;
}
