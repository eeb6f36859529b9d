import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { currentTraceparent, queueName, type JobData, type Tx } from '@app/platform';
import type { Queue } from 'bullmq';
import { SocialConfig } from '../social.config.js';
import { followerRanges, type FollowerRange } from './feed-sql.js';

export const FANOUT_QUEUE = queueName('social', 'fanout');

/** One chunk of an author's followers (`(after, upTo]` by follow id) for one post. */
type PostChunk = { postId: string; authorId: string; range: FollowerRange };

/**
 * `social.fanout` jobs, one per chunk of followers:
 * - `push`: a regular author's new post into the chunk's active followers' feeds;
 * - `remove`: a deleted post out of the chunk's followers' feeds;
 * - `backfill`: an author who left the celebrity tier — their newest posts into the chunk's
 *   active followers' feeds (they were not pushed while the author was a celebrity).
 */
export type FanoutJob =
  | JobData<'push', PostChunk>
  | JobData<'remove', PostChunk>
  | JobData<'backfill', { authorId: string; range: FollowerRange }>;

/** What a job is about, without the bookkeeping every job carries. */
export type FanoutWork =
  | { kind: 'push'; postId: string; authorId: string }
  | { kind: 'remove'; postId: string; authorId: string }
  | { kind: 'backfill'; authorId: string };

/**
 * Queues fan-out work. Job ids are deterministic — `(kind, subject, chunk)` — so queuing the
 * same work again while the job is kept (waiting, running, or among the last completed) adds
 * nothing, and a job that does run again writes nothing new (ZADD/ZREM are idempotent).
 *
 * Consumers queue **inside** their transaction, not after commit: the jobs read only rows that
 * were committed before the event existed (the post, the follows), so running before the
 * consumer's commit is harmless — and a failed enqueue fails the delivery, which the inbox
 * retries with backoff. A lost enqueue is therefore never a lost fan-out.
 */
@Injectable()
export class FeedJobs {
  constructor(
    @InjectQueue(FANOUT_QUEUE) private readonly queue: Queue<FanoutJob>,
    private readonly config: SocialConfig,
  ) {}

  /**
   * Queues `work` once per chunk of SOCIAL_FANOUT_CHUNK of the author's followers (ranges fixed
   * now, in the consumer's transaction); `subject` names it (a post id or an event id).
   */
  async forFollowers(
    tx: Tx,
    work: FanoutWork,
    subject: string,
    correlationId: string | undefined,
    { delayMs = 0 }: { delayMs?: number } = {},
  ): Promise<void> {
    const ranges = await followerRanges(tx.manager, work.authorId, this.config.SOCIAL_FANOUT_CHUNK);
    const traceparent = currentTraceparent();
    const jobs = ranges.map((range, chunk) => ({
      name: work.kind,
      data: {
        ...work,
        range,
        correlationId: correlationId ?? subject,
        ...(traceparent ? { traceparent } : {}),
      } as FanoutJob,
      opts: {
        jobId: `${work.kind}_${subject}_${chunk}`,
        attempts: 10,
        ...(delayMs ? { delay: delayMs } : {}),
        backoff: { type: 'exponential', delay: 200, jitter: 0.5 },
      },
    }));
    // A job already failed for good would block its id: clear it so this attempt runs.
    await Promise.all(
      jobs.map(async (j) => {
        const existing = await this.queue.getJob(j.opts.jobId);
        if (existing && (await existing.isFailed())) await existing.remove();
      }),
    );
    await this.queue.addBulk(jobs);
  }
}
