import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Job, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { RequestContext } from '../http/request-context.js';
import { Pollers } from './poller.js';
import { assertNever, type JobData, type JobOutcome, queueName } from './jobs.js';

export const MAINTENANCE_QUEUE = queueName('platform', 'messaging-maintenance');

export type MaintenanceJob = JobData<'purge', { olderThanHours: number }>;

const SCHEDULER_ID = 'purge-hourly';
/** How often a worker checks that the schedule still exists (Redis may have lost it). */
const SCHEDULE_CHECK_MS = 10_000;

/**
 * Hourly purge of dispatched outbox rows and finished inbox rows past MESSAGING_RETENTION_HOURS
 * (parked and pending deliveries are never purged). The scheduler id is fixed, so every
 * instance upserts the same schedule instead of adding its own. The schedule lives only in
 * Redis: a Redis restarted empty (or flushed) loses it, so every worker checks for it every
 * 10 s and adds it again when it is gone.
 */
@Processor(MAINTENANCE_QUEUE)
@Injectable()
export class MessagingMaintenance extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(MessagingMaintenance.name);

  constructor(
    @InjectQueue(MAINTENANCE_QUEUE) private readonly queue: Queue<MaintenanceJob>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly context: RequestContext,
    pollers: Pollers,
  ) {
    super();
    // Started only where WORKERS=true, like the schedule itself.
    pollers.create({
      name: 'platform.maintenance-schedule',
      intervalMs: SCHEDULE_CHECK_MS,
      initialDelayMs: SCHEDULE_CHECK_MS,
      run: async () => {
        if (!(await this.queue.getJobScheduler(SCHEDULER_ID))) {
          this.logger.warn('the purge schedule was gone from Redis: adding it again');
          await this.schedule();
        }
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.WORKERS) return;
    await this.schedule();
  }

  private async schedule(): Promise<void> {
    await this.queue.upsertJobScheduler(
      SCHEDULER_ID,
      { every: 3_600_000 },
      {
        name: 'purge',
        data: {
          kind: 'purge',
          correlationId: 'scheduler:purge-hourly',
          olderThanHours: this.config.MESSAGING_RETENTION_HOURS,
        },
      },
    );
  }

  async process(job: Job<MaintenanceJob>): Promise<JobOutcome> {
    return this.context.run({ correlationId: job.data.correlationId }, async () => {
      const data = job.data;
      switch (data.kind) {
        case 'purge':
          return this.purge(data.olderThanHours);
        default:
          return assertNever(data.kind);
      }
    });
  }

  async purge(olderThanHours: number): Promise<JobOutcome> {
    const [, outbox] = (await this.dataSource.query(
      `DELETE FROM platform.outbox WHERE dispatched_at < now() - make_interval(hours => $1)`,
      [olderThanHours],
    )) as [unknown, number];
    const [, inbox] = (await this.dataSource.query(
      `DELETE FROM platform.inbox WHERE status = 'done' AND updated_at < now() - make_interval(hours => $1)`,
      [olderThanHours],
    )) as [unknown, number];
    this.logger.log({ outbox, inbox }, 'purged messaging rows');
    return outbox + inbox > 0 ? 'done' : 'skipped';
  }
}
