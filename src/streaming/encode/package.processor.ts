import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { VideoReady } from '@app/contracts/streaming';
import {
  inJobSpan,
  ObjectStorage,
  RequestContext,
  Transactions,
  type JobOutcome,
} from '@app/platform';
import type { Job } from 'bullmq';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RenditionRow, VideoRow } from '../content/video.entity.js';
import { videoKeys } from '../content/video-keys.js';
import { Ffmpeg } from '../media-tools/ffmpeg.js';
import { StreamingConfig } from '../streaming.config.js';
import { posterArgs, storyboardArgs } from './encode-args.js';
import { PACKAGE_QUEUE, type PackageJob } from './encode-jobs.js';
import { EncodeOutcomes } from './encode-outcomes.js';
import { lockVideo, renditionsOf, timeline, updatedRows } from './encode-sql.js';
import { masterPlaylist } from './master-playlist.js';
import { RenditionOutput } from './rendition-output.js';

const WORKER_OPTIONS: { concurrency: number; lockDuration?: number; stalledInterval?: number } = {
  concurrency: 2,
};

/**
 * Runs `streaming.package` jobs (one per video, id `package_{videoId}`): the poster (a frame at
 * ~1 s), the storyboard (a thumbnail strip), the master playlist over every DONE rendition
 * (highest first, with BANDWIDTH, AVERAGE-BANDWIDTH, RESOLUTION, CODECS, FRAME-RATE) written
 * last; then, in one transaction, the video READY — `WHERE ready_at IS NULL`, so
 * `streaming.video-ready` is published exactly once even when this job runs twice.
 */
@Processor(PACKAGE_QUEUE, WORKER_OPTIONS)
@Injectable()
export class PackageProcessor extends WorkerHost {
  private readonly logger = new Logger(PackageProcessor.name);

  constructor(
    private readonly ffmpeg: Ffmpeg,
    private readonly storage: ObjectStorage,
    private readonly output: RenditionOutput,
    private readonly outcomes: EncodeOutcomes,
    private readonly tx: Transactions,
    private readonly context: RequestContext,
    config: StreamingConfig,
  ) {
    super();
    Object.assign(WORKER_OPTIONS, {
      lockDuration: config.STREAMING_ENCODE_LOCK_MS,
      stalledInterval: config.STREAMING_ENCODE_STALLED_CHECK_MS,
    });
  }

  async process(job: Job<PackageJob>): Promise<JobOutcome> {
    return this.context.run({ correlationId: job.data.correlationId }, () =>
      inJobSpan(PACKAGE_QUEUE, job.data, () => this.run(job)),
    );
  }

  private async run(job: Job<PackageJob>): Promise<JobOutcome> {
    const { videoId } = job.data;
    const [video] = await this.tx.run(({ manager }) =>
      manager.query<VideoRow[]>(`SELECT * FROM streaming.videos WHERE id = $1`, [videoId]),
    );
    if (!video || video.ready_at || video.state !== 'PROCESSING' || !video.source_key)
      return 'skipped';
    const renditions = await this.tx.run(({ manager }) => renditionsOf(manager, videoId));
    if (!renditions.length || renditions.some((r) => r.state !== 'DONE')) return 'skipped';
    try {
      await this.images(video);
      await this.storage.put(
        videoKeys.master(videoId),
        Buffer.from(masterPlaylist(renditions)),
        'application/vnd.apple.mpegurl',
      );
    } catch (err) {
      const attempt = job.attemptsMade + 1;
      if (attempt >= (job.opts.attempts ?? 1)) {
        const tail = err instanceof Error ? err.message : String(err);
        await this.outcomes.failed(videoId, null, `packaging failed: ${tail}`);
      }
      throw err;
    }
    return (await this.ready(video, renditions)) ? 'done' : 'skipped';
  }

  /** Poster and storyboard from the source (a frame at ~1 s; one thumbnail per 2 s). */
  private async images(video: VideoRow): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), 'five-package-'));
    try {
      const input = join(dir, 'source');
      await this.output.download(video.source_key!, input);
      const duration = video.duration_ms ?? 0;
      const poster = join(dir, 'poster.jpg');
      const storyboard = join(dir, 'storyboard.jpg');
      await this.ffmpeg.exec(posterArgs(input, poster, duration));
      await this.ffmpeg.exec(storyboardArgs(input, storyboard, duration));
      await this.storage.put(videoKeys.poster(video.id), createReadStream(poster), 'image/jpeg');
      await this.storage.put(
        videoKeys.storyboard(video.id),
        createReadStream(storyboard),
        'image/jpeg',
      );
    } finally {
      await rm(dir, { recursive: true, force: true }).catch((err: unknown) =>
        this.logger.warn({ err, dir }, 'could not remove the package folder'),
      );
    }
  }

  /** PROCESSING → READY and `streaming.video-ready`, only for the run that set `ready_at`. */
  private ready(video: VideoRow, renditions: RenditionRow[]): Promise<boolean> {
    return this.tx.run(async (tx) => {
      const locked = await lockVideo(tx.manager, video.id);
      if (!locked || locked.ready_at || locked.state !== 'PROCESSING') return false;
      const masterKey = videoKeys.master(video.id);
      const result: unknown = await tx.manager.query(
        `UPDATE streaming.videos
            SET state = 'READY', master_key = $2, ready_at = now(), failure_reason = NULL,
                updated_at = now()
          WHERE id = $1 AND ready_at IS NULL
          RETURNING channel_id, duration_ms`,
        [video.id, masterKey],
      );
      const rows = updatedRows<{ channel_id: string; duration_ms: number | null }>(result);
      if (!rows.length) return false;
      const names = renditions.map((r) => r.name);
      await timeline(tx.manager, video.id, 'READY', `renditions ${names.join(', ')}`);
      await tx.publish(
        new VideoReady({
          videoId: video.id,
          channelId: rows[0]!.channel_id,
          renditions: names,
          durationMs: rows[0]!.duration_ms ?? 0,
          masterKey,
        }),
      );
      this.logger.log({ videoId: video.id, renditions: names }, 'video READY');
      return true;
    });
  }
}
