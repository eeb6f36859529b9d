import { Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { Pollers } from './poller.js';

/** How often a worker checks that its schedule still exists (Redis may have lost it). */
const SCHEDULE_CHECK_MS = 30_000;

export interface JobScheduleOptions {
  queue: Queue;
  /** The job scheduler's id: fixed, so every instance upserts the same one. */
  id: string;
  everyMs: number;
  /** The job each tick queues. */
  job: { name: string; data: object };
}

/**
 * A BullMQ job scheduler that stays: `start()` upserts it (call it at bootstrap in processes
 * that run workers), and a poller re-adds it whenever Redis lost it (restarted empty, flushed),
 * so the periodic work resumes by itself instead of silently stopping.
 */
export class JobSchedule {
  private readonly logger = new Logger(JobSchedule.name);

  constructor(
    private readonly options: JobScheduleOptions,
    pollers: Pollers,
  ) {
    pollers.create({
      name: `${options.queue.name}.schedule`,
      intervalMs: SCHEDULE_CHECK_MS,
      initialDelayMs: SCHEDULE_CHECK_MS,
      run: async () => {
        if (!(await options.queue.getJobScheduler(options.id))) {
          this.logger.warn(
            { scheduler: options.id },
            'a job schedule was gone from Redis: adding it again',
          );
          await this.start();
        }
      },
    });
  }

  async start(): Promise<void> {
    const { queue, id, everyMs, job } = this.options;
    await queue.upsertJobScheduler(
      id,
      { every: everyMs },
      { name: job.name, data: job.data, opts: { removeOnComplete: 100, removeOnFail: 100 } },
    );
  }
}
