import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  assertNever,
  inJobSpan,
  Metrics,
  Realtime,
  RequestContext,
  type JobOutcome,
} from '@app/platform';
import type { Job } from 'bullmq';
import { Histogram } from 'prom-client';
import { DataSource } from 'typeorm';
import { SocialConfig } from '../social.config.js';
import { feedSet, idScore } from './feed-keys.js';
import { FANOUT_QUEUE, type FanoutJob } from './feed-jobs.js';
import { FeedRebuilder } from './feed-rebuilder.js';
import { followersIn } from './feed-sql.js';
import { FeedStore } from './feed-store.js';

/** The event a connected follower's socket receives when a post lands in their feed. */
export const FEED_ITEM_EVENT = 'feed.item';

/**
 * Runs `social.fanout` jobs (see FeedJobs): each reads its chunk of followers and writes their
 * feeds in one pipelined batch. Idempotent: a job run twice (a retry, a worker killed mid-job
 * and its job picked up again when it stalls) adds nothing the second time, and only followers
 * to whom the post was new get a `feed.item` push.
 */
/**
 * The worker's BullMQ options, read by @nestjs/bullmq (by reference) when it creates the worker in
 * onModuleInit, after the constructor filled the lock settings from the config.
 */
const WORKER_OPTIONS: { concurrency: number; lockDuration?: number; stalledInterval?: number } = {
  concurrency: 4,
};

@Processor(FANOUT_QUEUE, WORKER_OPTIONS)
@Injectable()
export class FanoutProcessor extends WorkerHost {
  private readonly logger = new Logger(FanoutProcessor.name);
  private readonly lag: Histogram;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly store: FeedStore,
    private readonly rebuild: FeedRebuilder,
    private readonly realtime: Realtime,
    private readonly context: RequestContext,
    private readonly config: SocialConfig,
    metrics: Metrics,
  ) {
    super();
    Object.assign(WORKER_OPTIONS, {
      lockDuration: config.SOCIAL_FANOUT_LOCK_MS,
      stalledInterval: config.SOCIAL_FANOUT_STALLED_CHECK_MS,
    });
    this.lag = new Histogram({
      name: 'five_social_fanout_lag_seconds',
      help: 'From a post id’s time to its fan-out chunk written into followers’ feeds',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [metrics.registry],
    });
  }

  async process(job: Job<FanoutJob>): Promise<JobOutcome> {
    const data = job.data;
    return this.context.run({ correlationId: data.correlationId }, () =>
      inJobSpan(FANOUT_QUEUE, data, () => this.run(data)),
    );
  }

  private async run(data: FanoutJob): Promise<JobOutcome> {
    switch (data.kind) {
      case 'push':
        return this.push(data);
      case 'remove': {
        const followers = await followersIn(this.db, data.authorId, data.range, null);
        await this.store.remove(followers.map(feedSet), [data.postId]);
        return followers.length ? 'done' : 'skipped';
      }
      case 'backfill': {
        const followers = await this.active(data.authorId, data);
        await this.rebuild.mergeAuthor(followers, data.authorId);
        return followers.length ? 'done' : 'skipped';
      }
      default:
        return assertNever(data);
    }
  }

  private async push(data: Extract<FanoutJob, { kind: 'push' }>): Promise<JobOutcome> {
    const [post] = await this.db.query<{ deleted: boolean }[]>(
      `SELECT deleted_at IS NOT NULL AS deleted FROM social.posts WHERE id = $1`,
      [data.postId],
    );
    if (!post || post.deleted) return 'skipped';
    const followers = await this.active(data.authorId, data);
    const added = await this.store.add(followers.map(feedSet), [data.postId]);
    this.lag.observe((Date.now() - idScore(data.postId)) / 1000);
    const reached = followers.filter((_, i) => added[i]! > 0);
    if (reached.length) {
      // Best effort: a socket that misses it re-reads the feed; the feed write stands.
      await this.realtime
        .pushToUsers(reached, FEED_ITEM_EVENT, { postId: data.postId, authorId: data.authorId })
        .catch((err: unknown) =>
          this.logger.warn({ err, postId: data.postId }, 'feed.item push failed'),
        );
    }
    return followers.length ? 'done' : 'skipped';
  }

  /** The chunk's followers who read their feed recently (the others are rebuilt on return). */
  private active(authorId: string, data: FanoutJob): Promise<string[]> {
    return followersIn(this.db, authorId, data.range, this.config.SOCIAL_ACTIVE_DAYS);
  }
}
