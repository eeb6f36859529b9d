import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import {
  AppConfig,
  assertNever,
  Pollers,
  queueName,
  RequestContext,
  type JobData,
  type JobOutcome,
} from '@app/platform';
import type { Job, Queue } from 'bullmq';
import { StreamingConfig } from '../streaming.config.js';
import { SubscriptionRenewals } from './subscription-renewals.js';

export const RENEWAL_QUEUE = queueName('streaming', 'subscription-renewal');

export type RenewalJob = JobData<'renew'>;

const SCHEDULER_ID = 'renew-subscriptions';
/** How often a worker checks that the schedule still exists (Redis may have lost it). */
const SCHEDULE_CHECK_MS = 30_000;

/**
 * Runs SubscriptionRenewals on a BullMQ job scheduler (`streaming.subscription-renewal`, every
 * STREAMING_SUBSCRIPTION_RENEWAL_EVERY_MS). The scheduler id is fixed, so every instance upserts
 * the one schedule; two runs that overlap anyway (a slow run, a second instance) are harmless —
 * each period's charge is inserted once (see SubscriptionRenewals). A schedule Redis lost is
 * added again by the check every 30 s.
 */
@Processor(RENEWAL_QUEUE, { concurrency: 1 })
@Injectable()
export class RenewalProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(RenewalProcessor.name);

  constructor(
    @InjectQueue(RENEWAL_QUEUE) private readonly queue: Queue<RenewalJob>,
    private readonly renewals: SubscriptionRenewals,
    private readonly app: AppConfig,
    private readonly config: StreamingConfig,
    private readonly context: RequestContext,
    pollers: Pollers,
  ) {
    super();
    pollers.create({
      name: 'streaming.renewal-schedule',
      intervalMs: SCHEDULE_CHECK_MS,
      initialDelayMs: SCHEDULE_CHECK_MS,
      run: async () => {
        if (!(await this.queue.getJobScheduler(SCHEDULER_ID))) {
          this.logger.warn(
            'the subscription renewal schedule was gone from Redis: adding it again',
          );
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
      { every: this.config.STREAMING_SUBSCRIPTION_RENEWAL_EVERY_MS },
      { name: 'renew', data: { kind: 'renew', correlationId: `scheduler:${SCHEDULER_ID}` } },
    );
  }

  async process(job: Job<RenewalJob>): Promise<JobOutcome> {
    return this.context.run({ correlationId: job.data.correlationId }, async () => {
      switch (job.data.kind) {
        case 'renew': {
          const run = await this.renewals.run();
          return run.renewed + run.retried + run.canceled + run.lapsed > 0 ? 'done' : 'skipped';
        }
        default:
          return assertNever(job.data.kind);
      }
    });
  }
}
