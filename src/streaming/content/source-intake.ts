import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { VideoUploaded } from '@app/contracts/streaming';
import { ObjectStorage, Transactions, type Principal } from '@app/platform';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { DataSource, type EntityManager } from 'typeorm';
import { Ffmpeg } from '../media-tools/ffmpeg.js';
import { probeSource, type SourceProbe } from '../media-tools/probe.js';
import { StreamingConfig } from '../streaming.config.js';
import { StreamingError } from '../streaming.error.js';
import type { VideoRow } from './video.entity.js';
import { isOwner, VideoAccess } from './video-access.js';
import { videoKeys } from './video-keys.js';
import { addTimeline } from './video-views.js';

type Caller = Pick<Principal, 'userId' | 'roles'>;

/**
 * The one accept path of a video's source, for multipart and tus uploads alike: ffprobe reads
 * the file (a refusal leaves the video UPLOADING, with an `UPLOAD_REJECTED` timeline entry and
 * nothing stored), then, with the video's row locked, the file goes through the storage port and
 * the video becomes UPLOADED with `streaming.video-uploaded` in the same transaction. A failure
 * after the put removes the object again.
 */
@Injectable()
export class SourceIntake {
  private readonly logger = new Logger(SourceIntake.name);

  constructor(
    private readonly transactions: Transactions,
    private readonly storage: ObjectStorage,
    private readonly ffmpeg: Ffmpeg,
    private readonly access: VideoAccess,
    private readonly config: StreamingConfig,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  /** The caller's video, ready for its source: 404 not theirs to see, 403, 409 not UPLOADING. */
  async uploadable(videoId: string, caller: Caller): Promise<VideoRow> {
    const video = await this.access.visible(videoId, caller);
    if (!isOwner(video, caller)) {
      throw new StreamingError(
        'streaming.not_channel_owner',
        'Only the channel of this video can upload its source.',
      );
    }
    return assertUploading(video);
  }

  /**
   * Probes, stores and accepts the file at `path` as the source of `videoId`. `answer`, if
   * given, reads the response inside the accepting transaction: after the commit, the encode
   * planner may already have moved the video on, and the answer would mix the two.
   */
  async accept(videoId: string, path: string): Promise<VideoRow>;
  async accept<T>(
    videoId: string,
    path: string,
    answer: (video: VideoRow, db: EntityManager) => Promise<T>,
  ): Promise<T>;
  async accept<T>(
    videoId: string,
    path: string,
    answer?: (video: VideoRow, db: EntityManager) => Promise<T>,
  ): Promise<VideoRow | T> {
    let probe: SourceProbe;
    try {
      probe = await probeSource(this.ffmpeg, path, this.config.STREAMING_MAX_DURATION_SECONDS);
    } catch (err) {
      if (err instanceof StreamingError) await this.rejected(videoId, err);
      throw err;
    }
    const { size } = await stat(path);
    const key = videoKeys.source(videoId);
    let stored = false;
    try {
      return await this.transactions.run(async (tx) => {
        const [locked] = await tx.manager.query<VideoRow[]>(
          `SELECT * FROM streaming.videos WHERE id = $1 FOR UPDATE`,
          [videoId],
        );
        if (!locked) {
          throw new StreamingError('streaming.video_not_found', `No video ${videoId}.`);
        }
        assertUploading(locked);
        await this.storage.put(key, createReadStream(path), probe.contentType);
        stored = true;
        const [rows] = await tx.manager.query<[VideoRow[], number]>(
          `UPDATE streaming.videos
              SET state = 'UPLOADED', source_key = $2, source_bytes = $3, duration_ms = $4,
                  width = $5, height = $6, fps = $7, has_audio = $8, updated_at = now()
            WHERE id = $1 RETURNING *`,
          [
            videoId,
            key,
            size,
            probe.durationMs,
            probe.width,
            probe.height,
            probe.fps,
            probe.hasAudio,
          ],
        );
        await addTimeline(tx.manager, videoId, 'UPLOADED', describe(probe, size));
        await tx.publish(
          new VideoUploaded({
            videoId,
            channelId: locked.channel_id,
            sourceKey: key,
            sizeBytes: size,
            durationMs: probe.durationMs,
            width: probe.width,
            height: probe.height,
            fps: probe.fps,
            hasAudio: probe.hasAudio,
          }),
        );
        return answer ? answer(rows[0]!, tx.manager) : rows[0]!;
      });
    } catch (err) {
      // Only this upload held the row, so the object under the key is ours to remove.
      if (stored) {
        await this.storage
          .delete(key)
          .catch((cleanup: unknown) =>
            this.logger.error({ err: cleanup, key }, 'could not remove a refused source'),
          );
      }
      throw err;
    }
  }

  /** The refusal on the video's timeline (the video stays UPLOADING: the channel may retry). */
  private async rejected(videoId: string, err: StreamingError): Promise<void> {
    await addTimeline(this.db, videoId, 'UPLOAD_REJECTED', `${err.code}: ${err.detail}`).catch(
      (e: unknown) => this.logger.error({ err: e, videoId }, 'could not record a refusal'),
    );
  }
}

function assertUploading(video: VideoRow): VideoRow {
  if (video.state !== 'UPLOADING') {
    throw new StreamingError(
      'streaming.invalid_state',
      `The video is ${video.state}: its source was already accepted.`,
      { state: video.state },
    );
  }
  return video;
}

function describe(p: SourceProbe, bytes: number): string {
  const audio = p.hasAudio ? 'with audio' : 'no audio';
  return `${p.format} ${p.videoCodec} ${p.width}×${p.height} ${p.fps} fps, ${(p.durationMs / 1000).toFixed(1)} s, ${audio}, ${bytes} bytes`;
}
