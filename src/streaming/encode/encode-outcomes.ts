import { Injectable, Logger } from '@nestjs/common';
import { VideoFailed } from '@app/contracts/streaming';
import { RequestContext, Transactions } from '@app/platform';
import type { RenditionRow, VideoRow } from '../content/video.entity.js';
import { EncodeJobs } from './encode-jobs.js';
import { lockVideo, shortReason, timeline, updatedRows } from './encode-sql.js';
import type { Measured } from './rendition-output.js';

/** A rendition about to be encoded, with what the encoder needs of its video. */
export type EncodeStart = RenditionRow &
  Pick<VideoRow, 'source_key' | 'duration_ms' | 'channel_id'>;

/**
 * The state changes of the encode step, each one transaction on the locked video row (so two
 * renditions finishing together see each other's result, and only one of them queues the
 * package job or fails the video).
 */
@Injectable()
export class EncodeOutcomes {
  private readonly logger = new Logger(EncodeOutcomes.name);

  constructor(
    private readonly tx: Transactions,
    private readonly jobs: EncodeJobs,
    private readonly context: RequestContext,
  ) {}

  private get correlationId(): string {
    return this.context.correlationId;
  }

  /**
   * PENDING (or ENCODING: a run cut short by a crash) → ENCODING, one more attempt. Undefined
   * when there is nothing to do: the rendition is DONE or FAILED, or the video is gone.
   */
  start(videoId: string, name: string): Promise<EncodeStart | undefined> {
    return this.tx.run(async ({ manager }) => {
      const result: unknown = await manager.query(
        `UPDATE streaming.renditions r
            SET state = 'ENCODING', attempts = r.attempts + 1, percent = 0, updated_at = now()
           FROM streaming.videos v
          WHERE r.video_id = $1 AND r.name = $2 AND v.id = r.video_id
            AND r.state IN ('PENDING', 'ENCODING') AND v.source_key IS NOT NULL
          RETURNING r.*, v.source_key, v.duration_ms, v.channel_id`,
        [videoId, name],
      );
      return updatedRows<EncodeStart>(result)[0];
    });
  }

  /** Throttled progress (the caller keeps it ≤ 1 UPDATE/s). */
  async progress(videoId: string, name: string, percent: number): Promise<void> {
    await this.tx.run(({ manager }) =>
      manager.query(
        `UPDATE streaming.renditions SET percent = $3, updated_at = now()
          WHERE video_id = $1 AND name = $2 AND state = 'ENCODING'`,
        [videoId, name, percent],
      ),
    );
  }

  /** ENCODING → DONE with its measurements; the last one done queues the package job. */
  async done(videoId: string, name: string, m: Measured, keys: string[], playlistKey: string) {
    return this.tx.run(async (tx) => {
      const video = await lockVideo(tx.manager, videoId);
      if (!video) return false;
      const result: unknown = await tx.manager.query(
        `UPDATE streaming.renditions
            SET state = 'DONE', percent = 100, error = NULL, bandwidth = $3,
                average_bandwidth = $4, codecs = $5, playlist_key = $6, segment_keys = $7,
                updated_at = now()
          WHERE video_id = $1 AND name = $2 AND state = 'ENCODING'
          RETURNING name`,
        [videoId, name, m.bandwidth, m.averageBandwidth, m.codecs, playlistKey, keys],
      );
      if (!updatedRows(result).length) return false;
      const [{ left }] = await tx.manager.query<{ left: number }[]>(
        `SELECT count(*) FILTER (WHERE state <> 'DONE')::int AS left
           FROM streaming.renditions WHERE video_id = $1`,
        [videoId],
      );
      if (left === 0 && video.state === 'PROCESSING') {
        const correlationId = this.correlationId;
        tx.afterCommit(() => this.jobs.package(videoId, correlationId));
      }
      return true;
    });
  }

  /** A failed attempt that will be retried: back to PENDING with its error, on the timeline. */
  async willRetry(videoId: string, name: string, attempt: number, tail: string): Promise<void> {
    await this.tx.run(async ({ manager }) => {
      const result: unknown = await manager.query(
        `UPDATE streaming.renditions SET state = 'PENDING', percent = 0, error = $3,
                updated_at = now()
          WHERE video_id = $1 AND name = $2 AND state = 'ENCODING' RETURNING 1`,
        [videoId, name, tail],
      );
      if (updatedRows(result).length)
        await timeline(
          manager,
          videoId,
          'RETRYING',
          `attempt ${attempt}: ${shortReason(name, tail)}`,
        );
    });
  }

  /**
   * The rendition is FAILED for good (error = ffmpeg's tail). The video turns FAILED with a
   * short reason and `streaming.video-failed` is published — once per failure: a second
   * rendition failing finds the video FAILED already. `name` null: the whole video failed.
   */
  async failed(videoId: string, name: string | null, tail: string): Promise<boolean> {
    return this.tx.run(async (tx) => {
      const video = await lockVideo(tx.manager, videoId);
      if (!video) return false;
      if (name !== null) {
        await tx.manager.query(
          `UPDATE streaming.renditions SET state = 'FAILED', error = $3, updated_at = now()
            WHERE video_id = $1 AND name = $2 AND state <> 'DONE'`,
          [videoId, name, tail],
        );
      }
      if (video.state !== 'PROCESSING') return false;
      const reason = shortReason(name, tail);
      await tx.manager.query(
        `UPDATE streaming.videos SET state = 'FAILED', failure_reason = $2, updated_at = now()
          WHERE id = $1`,
        [videoId, reason],
      );
      await timeline(tx.manager, videoId, 'FAILED', reason);
      await tx.publish(
        new VideoFailed({
          videoId,
          channelId: video.channel_id,
          rendition: name,
          reason: tail.slice(-2000),
        }),
      );
      this.logger.warn({ videoId, rendition: name, reason }, 'video FAILED');
      return true;
    });
  }
}
