import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AppConfig, assertNever, RequestContext, type JobOutcome } from '@app/platform';
import type { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { EmailChannel, PushChannel, SmsChannel, type ChannelAdapter } from './channels.js';
import { DELIVERY_QUEUE, NotificationRouter, type DeliveryJob } from './router.js';

/**
 * Sends queued notifications (BullMQ `notifications.deliver`, retried with backoff). Idempotent:
 * a notification already sent is skipped, so a retried or duplicated job never sends twice.
 */
@Processor(DELIVERY_QUEUE)
@Injectable()
export class DeliveryProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(DeliveryProcessor.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly email: EmailChannel,
    private readonly sms: SmsChannel,
    private readonly push: PushChannel,
    private readonly router: NotificationRouter,
    private readonly context: RequestContext,
    private readonly config: AppConfig,
  ) {
    super();
  }

  /** Re-queues what a crash between commit and enqueue left behind. */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.WORKERS) return;
    const stale: { id: string }[] = await this.db.query(
      `SELECT id FROM notifications.notifications WHERE status = 'queued' AND created_at < now() - interval '30 seconds' LIMIT 1000`,
    );
    if (stale.length)
      await this.router.enqueue(
        stale.map((s) => s.id),
        'recovery',
      );
  }

  async process(job: Job<DeliveryJob>): Promise<JobOutcome> {
    const data = job.data;
    switch (data.kind) {
      case 'deliver':
        return this.context.run({ correlationId: data.correlationId }, () =>
          this.deliver(data.notificationId, job),
        );
      default:
        return assertNever(data.kind);
    }
  }

  private async deliver(id: string, job: Job<DeliveryJob>): Promise<JobOutcome> {
    const [n] = await this.db.query(
      `SELECT n.*, r.email, r.phone, r.push_token FROM notifications.notifications n
         JOIN notifications.recipients r ON r.user_id = n.user_id WHERE n.id = $1`,
      [id],
    );
    if (!n || n.status !== 'queued') {
      this.logger.debug({ notificationId: id }, 'skipped: already delivered or gone');
      return 'skipped';
    }
    const adapter: ChannelAdapter =
      n.channel === 'email' ? this.email : n.channel === 'sms' ? this.sms : this.push;
    const to = n.channel === 'email' ? n.email : n.channel === 'sms' ? n.phone : n.push_token;
    try {
      const ref = await adapter.send({ to, title: n.title, body: n.body });
      await this.db.query(
        `UPDATE notifications.notifications SET status = 'sent', provider_ref = $2, sent_at = now(), attempts = attempts + 1, error = NULL
          WHERE id = $1 AND status = 'queued'`,
        [id, ref],
      );
      return 'done';
    } catch (err) {
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      await this.db.query(
        `UPDATE notifications.notifications SET attempts = attempts + 1, error = $2, status = $3 WHERE id = $1 AND status = 'queued'`,
        [
          id,
          (err instanceof Error ? err.message : String(err)).slice(0, 500),
          last ? 'failed' : 'queued',
        ],
      );
      throw err;
    }
  }
}
