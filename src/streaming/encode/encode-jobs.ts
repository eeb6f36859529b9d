import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { currentTraceparent, queueName, type JobData } from '@app/platform';
import type { JobsOptions, Queue } from 'bullmq';
import { StreamingConfig } from '../streaming.config.js';

export const ENCODE_QUEUE = queueName('streaming', 'encode');
export const PACKAGE_QUEUE = queueName('streaming', 'package');

/** One rendition of one video (`streaming.encode`). */
export type EncodeJob = JobData<'encode', { videoId: string; rendition: string }>;
/** Poster, storyboard, master playlist, READY (`streaming.package`). */
export type PackageJob = JobData<'package', { videoId: string }>;

/**
 * Deterministic job ids (BullMQ ids cannot contain `:`): adding the same work twice while its
 * job is kept (waiting, running, completed within the last day, failed within the last week)
 * adds nothing.
 */
export const encodeJobId = (videoId: string, rendition: string) => `encode_${videoId}_${rendition}`;
export const packageJobId = (videoId: string) => `package_${videoId}`;

const KEEP = {
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/**
 * Queues encode and package jobs. Called after the commit that made the work due (the rows are
 * then visible to the worker); a crash between the commit and the add is covered by
 * EncodeSweep, which finds due rows without their job. Adding is idempotent by job id.
 */
@Injectable()
export class EncodeJobs {
  constructor(
    @InjectQueue(ENCODE_QUEUE) readonly encodeQueue: Queue<EncodeJob>,
    @InjectQueue(PACKAGE_QUEUE) readonly packageQueue: Queue<PackageJob>,
    private readonly config: StreamingConfig,
  ) {}

  private options(jobId: string, attempts: number): JobsOptions {
    return {
      jobId,
      attempts,
      backoff: { type: 'exponential', delay: this.config.STREAMING_ENCODE_BACKOFF_MS, jitter: 0.3 },
      ...KEEP,
    };
  }

  private meta(correlationId: string) {
    const traceparent = currentTraceparent();
    return { correlationId, ...(traceparent ? { traceparent } : {}) };
  }

  /** One `streaming.encode` job per rendition of the video. */
  async encode(videoId: string, renditions: string[], correlationId: string): Promise<void> {
    if (renditions.length === 0) return;
    const attempts = this.config.STREAMING_ENCODE_ATTEMPTS;
    await this.encodeQueue.addBulk(
      renditions.map((rendition) => ({
        name: rendition,
        data: { kind: 'encode', videoId, rendition, ...this.meta(correlationId) },
        opts: this.options(encodeJobId(videoId, rendition), attempts),
      })),
    );
  }

  /**
   * Clears the rendition's job when it failed for good, so a re-drive (or the sweep) can add it
   * again under the same id. A job in any other state is left alone (it will run, or it ran).
   */
  async clearFailed(videoId: string, rendition: string): Promise<void> {
    const job = await this.encodeQueue.getJob(encodeJobId(videoId, rendition));
    if (job && (await job.isFailed())) await job.remove();
  }

  /**
   * The package job (poster, storyboard, master, READY) by its id. A finished one is replaced:
   * this is called only when every rendition is DONE and the video is not READY, so an earlier
   * run (before a re-drive) did not make it READY; the job itself publishes READY only once.
   */
  async package(videoId: string, correlationId: string): Promise<void> {
    const attempts = this.config.STREAMING_ENCODE_ATTEMPTS;
    const existing = await this.packageQueue.getJob(packageJobId(videoId));
    if (existing && ((await existing.isCompleted()) || (await existing.isFailed())))
      await existing.remove();
    await this.packageQueue.add(
      'package',
      { kind: 'package', videoId, ...this.meta(correlationId) },
      this.options(packageJobId(videoId), attempts),
    );
  }
}
