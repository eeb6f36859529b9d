import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import {
  AppConfig,
  assertNever,
  inJobSpan,
  Pollers,
  queueName,
  RequestContext,
  type JobData,
  type JobOutcome,
} from '@app/platform';
import type { Job, Queue } from 'bullmq';
import { StreamingConfig } from '../streaming.config.js';
import { Rollups } from './rollups.js';

export const ROLLUP_QUEUE = queueName('streaming', 'analytics-rollup');

/** `recent`: the current and previous hour (the schedule); `hour`: one hour, e.g. a backfill. */
export type RollupJob = JobData<'recent'> | JobData<'hour', { hour: string }>;

const SCHEDULER_ID = 'rollup-recent';
/** How often a worker checks that the schedule still exists (Redis may have lost it). */
const SCHEDULE_CHECK_MS = 30_000;

/**
 * Runs `streaming.analytics-rollup`: a BullMQ job scheduler (fixed id, so every instance upserts
 * the same one) queues a `recent` job every STREAMING_ROLLUP_EVERY_MS, which recomputes the
 * current and the previous hour from the raw rows (Rollups). Recomputing is idempotent, so a job
 * run twice, or by two workers, writes the same numbers. As for the platform's maintenance
 * schedule, every worker re-adds the schedule when Redis lost it.
 */
@Processor(ROLLUP_QUEUE)
@Injectable()
export class RollupProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(RollupProcessor.name);

  constructor(
    @InjectQueue(ROLLUP_QUEUE) private readonly queue: Queue<RollupJob>,
    private readonly rollups: Rollups,
    private readonly app: AppConfig,
    private readonly config: StreamingConfig,
    private readonly context: RequestContext,
    pollers: Pollers,
  ) {
    super();
    pollers.create({
      name: 'streaming.rollup-schedule',
      intervalMs: SCHEDULE_CHECK_MS,
      initialDelayMs: SCHEDULE_CHECK_MS,
      run: async () => {
        if (!(await this.queue.getJobScheduler(SCHEDULER_ID))) {
          this.logger.warn('the analytics rollup schedule was gone from Redis: adding it again');
          await this.schedule();
        }
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.app.WORKERS) return;
    await this.schedule();
  }

  private async schedule(): Promise<void> {
    await this.queue.upsertJobScheduler(
      SCHEDULER_ID,
      { every: this.config.STREAMING_ROLLUP_EVERY_MS },
      {
        name: 'recent',
        data: { kind: 'recent', correlationId: `scheduler:${SCHEDULER_ID}` },
        opts: { removeOnComplete: 100, removeOnFail: 100 },
      },
    );
  }

  async process(job: Job<RollupJob>): Promise<JobOutcome> {
    const data = job.data;
    return this.context.run({ correlationId: data.correlationId }, () =>
      inJobSpan(ROLLUP_QUEUE, data, () => this.run(data)),
    );
  }

  private async run(data: RollupJob): Promise<JobOutcome> {
    switch (data.kind) {
      case 'recent':
        return (await this.rollups.recomputeRecent()) > 0 ? 'done' : 'skipped';
      case 'hour':
        return (await this.rollups.recompute(new Date(data.hour))) > 0 ? 'done' : 'skipped';
      default:
        return assertNever(data);
    }
  }
}
