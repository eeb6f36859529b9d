import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { inJobSpan, Realtime, RequestContext, type JobOutcome } from '@app/platform';
import { UnrecoverableError, type Job } from 'bullmq';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { videoKeys } from '../content/video-keys.js';
import { Ffmpeg, FfmpegError } from '../media-tools/ffmpeg.js';
import { StreamingConfig } from '../streaming.config.js';
import { encodeArgs } from './encode-args.js';
import { ENCODE_QUEUE, type EncodeJob } from './encode-jobs.js';
import { EncodeOutcomes, type EncodeStart } from './encode-outcomes.js';
import { RenditionOutput } from './rendition-output.js';

/** The event a connected channel's socket receives while its renditions encode. */
export const PROGRESS_EVENT = 'streaming.progress';

/** ffmpeg output that says the input itself cannot be decoded: retrying cannot help. */
const UNDECODABLE =
  /Invalid data found when processing input|moov atom not found|could not find codec parameters|does not contain any stream|Output file #0 does not contain|Error opening input|No such file or directory|Invalid argument/i;

/** @nestjs/bullmq reads these by reference when it creates the worker (see FanoutProcessor). */
const WORKER_OPTIONS: {
  concurrency: number;
  lockDuration?: number;
  stalledInterval?: number;
  maxStalledCount?: number;
} = { concurrency: 1 };

/**
 * Runs `streaming.encode` jobs, one rendition each: the source downloaded to a temporary
 * folder, ffmpeg (niced) writing HLS fMP4 there while its progress updates the rendition (≤ 1
 * UPDATE/s) and the job, the files measured and put to storage (playlist last), then the
 * rendition DONE in one transaction — the last one queues the package job. A run after a crash
 * redoes the rendition into the same keys; a DONE rendition is skipped. A failed attempt is
 * retried with exponential backoff up to STREAMING_ENCODE_ATTEMPTS; the last one, or a source
 * ffmpeg cannot decode at all (UnrecoverableError: no retry storm), fails the rendition and
 * the video.
 */
@Processor(ENCODE_QUEUE, WORKER_OPTIONS)
@Injectable()
export class EncodeProcessor extends WorkerHost {
  private readonly logger = new Logger(EncodeProcessor.name);

  constructor(
    private readonly ffmpeg: Ffmpeg,
    private readonly output: RenditionOutput,
    private readonly outcomes: EncodeOutcomes,
    private readonly realtime: Realtime,
    private readonly context: RequestContext,
    config: StreamingConfig,
  ) {
    super();
    Object.assign(WORKER_OPTIONS, {
      concurrency: config.STREAMING_ENCODE_CONCURRENCY,
      lockDuration: config.STREAMING_ENCODE_LOCK_MS,
      stalledInterval: config.STREAMING_ENCODE_STALLED_CHECK_MS,
      maxStalledCount: 2,
    });
  }

  async process(job: Job<EncodeJob>): Promise<JobOutcome> {
    return this.context.run({ correlationId: job.data.correlationId }, () =>
      inJobSpan(ENCODE_QUEUE, job.data, () => this.run(job)),
    );
  }

  private async run(job: Job<EncodeJob>): Promise<JobOutcome> {
    const { videoId, rendition } = job.data;
    const start = await this.outcomes.start(videoId, rendition);
    if (!start) return 'skipped';
    const dir = await mkdtemp(join(tmpdir(), 'five-encode-'));
    try {
      await this.encode(job, start, dir);
      return 'done';
    } catch (err) {
      throw await this.onError(job, start, dir, err);
    } finally {
      await rm(dir, { recursive: true, force: true }).catch((err: unknown) =>
        this.logger.warn({ err, dir }, 'could not remove the encode folder'),
      );
    }
  }

  private async encode(job: Job<EncodeJob>, r: EncodeStart, dir: string): Promise<void> {
    const input = join(dir, 'source');
    const out = join(dir, 'out');
    await mkdir(out);
    await this.output.download(r.source_key!, input);
    const progress = this.progressReporter(job, r);
    await this.ffmpeg.exec(
      encodeArgs(
        {
          name: r.name,
          width: r.width,
          height: r.height,
          fps: r.fps,
          videoKbps: r.video_kbps,
          maxKbps: r.max_kbps,
          audioKbps: r.audio_kbps,
        },
        input,
        out,
      ),
      { onProgress: progress.report },
    );
    await progress.flush();
    const measured = await this.output.measure(out);
    const keys = await this.output.upload(r.video_id, r.name, out);
    const playlistKey = videoKeys.playlist(r.video_id, r.name);
    const done = await this.outcomes.done(r.video_id, r.name, measured, keys, playlistKey);
    this.logger.log(
      {
        videoId: r.video_id,
        rendition: r.name,
        kbps: Math.round(measured.averageBandwidth / 1000),
      },
      done ? 'rendition encoded' : 'rendition encoded, but was no longer ENCODING',
    );
  }

  /**
   * Percent from ffmpeg's position over the duration: the rendition row at most once a second
   * (one write in flight at a time), the job and the channel's sockets with it.
   */
  private progressReporter(job: Job<EncodeJob>, r: EncodeStart) {
    const durationMs = Math.max(1, r.duration_ms ?? 1);
    let lastAt = 0;
    let inFlight: Promise<void> = Promise.resolve();
    const write = (percent: number) => {
      inFlight = inFlight.then(async () => {
        await this.outcomes.progress(r.video_id, r.name, percent);
        await job.updateProgress(percent);
        await this.realtime.pushToUsers([r.channel_id], PROGRESS_EVENT, {
          videoId: r.video_id,
          rendition: r.name,
          percent,
        });
      });
      inFlight = inFlight.catch((err: unknown) =>
        this.logger.warn({ err, videoId: r.video_id }, 'progress update failed (best effort)'),
      );
    };
    return {
      report: (outMs: number) => {
        const now = Date.now();
        if (now - lastAt < 1000) return;
        lastAt = now;
        write(Math.min(99, Math.round((outMs / durationMs) * 1000) / 10));
      },
      flush: () => inFlight,
    };
  }

  /** Records a failed attempt; answers what to throw (UnrecoverableError: no more attempts). */
  private async onError(
    job: Job<EncodeJob>,
    r: EncodeStart,
    dir: string,
    err: unknown,
  ): Promise<Error> {
    const error = err instanceof Error ? err : new Error(String(err));
    const tail = err instanceof FfmpegError ? err.tail : error.message.slice(-2000);
    const undecodable =
      err instanceof UnrecoverableError ||
      (err instanceof FfmpegError && (UNDECODABLE.test(tail) || !(await this.decodes(dir))));
    const attempt = job.attemptsMade + 1;
    const last = undecodable || attempt >= (job.opts.attempts ?? 1);
    this.logger.warn(
      { err: error, videoId: r.video_id, rendition: r.name, attempt, last },
      'encode attempt failed',
    );
    try {
      if (last) await this.outcomes.failed(r.video_id, r.name, tail);
      else await this.outcomes.willRetry(r.video_id, r.name, attempt, tail);
    } catch (dbErr) {
      // The job still fails; the sweep reconciles a rendition whose job failed for good.
      this.logger.error({ err: dbErr, videoId: r.video_id }, 'could not record the failure');
    }
    return undecodable && !(err instanceof UnrecoverableError)
      ? new UnrecoverableError(tail)
      : error;
  }

  /** Whether ffprobe reads a video stream in the downloaded source (false: it is corrupt). */
  private async decodes(dir: string): Promise<boolean> {
    try {
      const { streams } = await this.ffmpeg.probeJson<{ streams: { codec_type: string }[] }>([
        '-show_entries',
        'stream=codec_type',
        join(dir, 'source'),
      ]);
      return streams.some((s) => s.codec_type === 'video');
    } catch (err) {
      // ffprobe cannot read it at all: the answer is "corrupt", and why goes to the log.
      this.logger.warn({ err, dir }, 'ffprobe could not read the downloaded source');
      return false;
    }
  }
}
