import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import {
  AppConfig,
  assertNever,
  inJobSpan,
  JobSchedule,
  Pollers,
  queueName,
  RequestContext,
  type JobData,
  type JobOutcome,
} from '@app/platform';
import type { Job, Queue } from 'bullmq';
import { UsageRollups } from '../metering/rollups.js';
import { SaasConfig } from '../saas.config.js';
import { Invoicing } from './invoicing.js';

export const BILLING_QUEUE = queueName('saas', 'billing');

/** `tick`: fold recent usage into the hourly rollups, then close periods (drafts, finals). */
export type BillingJob = JobData<'tick'>;

const SCHEDULER_ID = 'billing-tick';

/**
 * Runs `saas.billing` every SAAS_BILLING_EVERY_MS: the hourly rollup (UsageRollups) and the
 * period close (Invoicing). Both are idempotent and safe to run in two workers at once (the
 * rollup recomputes from raw events under a row lock; an invoice is decided by its unique key
 * and its version), so a job BullMQ hands to a second worker after a stall does no harm.
 */
@Processor(BILLING_QUEUE)
@Injectable()
export class BillingProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly schedule: JobSchedule;

  constructor(
    @InjectQueue(BILLING_QUEUE) queue: Queue<BillingJob>,
    private readonly rollups: UsageRollups,
    private readonly invoicing: Invoicing,
    private readonly app: AppConfig,
    private readonly context: RequestContext,
    config: SaasConfig,
    pollers: Pollers,
  ) {
    super();
    this.schedule = new JobSchedule(
      {
        queue,
        id: SCHEDULER_ID,
        everyMs: config.SAAS_BILLING_EVERY_MS,
        job: { name: 'tick', data: { kind: 'tick', correlationId: `scheduler:${SCHEDULER_ID}` } },
      },
      pollers,
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.app.WORKERS) await this.schedule.start();
  }

  async process(job: Job<BillingJob>): Promise<JobOutcome> {
    const data = job.data;
    return this.context.run({ correlationId: data.correlationId }, () =>
      inJobSpan(BILLING_QUEUE, data, () => this.run(data)),
    );
  }

  private async run(data: BillingJob): Promise<JobOutcome> {
    switch (data.kind) {
      case 'tick': {
        const folded = await this.rollups.rollRecent();
        const closed = await this.invoicing.close();
        return folded + closed.created + closed.repriced + closed.finalized > 0
          ? 'done'
          : 'skipped';
      }
      default:
        return assertNever(data.kind);
    }
  }
}
