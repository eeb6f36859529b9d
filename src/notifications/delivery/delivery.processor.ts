import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  assertNever,
  backoffMs,
  crashPoint,
  inJobSpan,
  Metrics,
  Pollers,
  RequestContext,
  type JobOutcome,
} from '@app/platform';
import type { Job, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { NotificationsConfig } from '../notifications.config.js';
import type { RecipientRow } from '../preferences/recipient.entity.js';
import { EmailChannel, PushChannel, SmsChannel, type ChannelAdapter } from './channels.js';
import type { NotificationRow } from './notification.entity.js';
import { DELIVERY_QUEUE, NotificationRouter, type DeliveryJob } from './router.js';

/** Provider error texts can quote addresses: keep them out of the delivery log. */
const scrub = (message: string) =>
  message.replace(/<[^>]*@[^>]*>|\S+@\S+/g, '<address>').slice(0, 500);

/** A claimed notification with its recipient's addresses. */
type Claimed = NotificationRow &
  Pick<RecipientRow, 'email' | 'phone' | 'push_token' | 'email_verified_at' | 'phone_verified_at'>;

/**
 * The delivery worker's BullMQ options. @nestjs/bullmq reads them (by reference) when it creates
 * the worker in onModuleInit, after this class's constructor filled them from the config.
 */
const WORKER_OPTIONS: { lockDuration?: number; stalledInterval?: number } = {};

/**
 * Sends queued notifications (BullMQ `notifications.deliver`, retried with backoff).
 * A row is claimed (queued → sending) before the send, so a retried or duplicated job never
 * sends twice; only a send that failed is retried, never one whose bookkeeping failed.
 * Providers get the notification id (email Message-ID) so a receiver can drop the rare duplicate
 * an abandoned claim (worker died mid-send, claim older than NOTIFICATIONS_CLAIM_TIMEOUT_MS,
 * 5 minutes by default) could still cause: at most one more copy.
 */
@Processor(DELIVERY_QUEUE, WORKER_OPTIONS)
@Injectable()
export class DeliveryProcessor extends WorkerHost {
  private readonly logger = new Logger(DeliveryProcessor.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly email: EmailChannel,
    private readonly sms: SmsChannel,
    private readonly push: PushChannel,
    private readonly router: NotificationRouter,
    private readonly context: RequestContext,
    pollers: Pollers,
    private readonly metrics: Metrics,
    private readonly config: NotificationsConfig,
    @InjectQueue(DELIVERY_QUEUE) private readonly queue: Queue<DeliveryJob>,
  ) {
    super();
    Object.assign(WORKER_OPTIONS, {
      lockDuration: config.NOTIFICATIONS_JOB_LOCK_MS,
      stalledInterval: config.NOTIFICATIONS_STALLED_CHECK_MS,
    });
    // Every 30 s (by default), re-queues what a crash or a Redis blip between commit and
    // enqueue left behind.
    // The run reports nothing handled: a row a retry keeps `queued` is stale again at once, and
    // draining would re-queue it in a tight loop.
    pollers.create({
      name: 'notifications.sweep',
      intervalMs: config.NOTIFICATIONS_SWEEP_INTERVAL_MS,
      initialDelayMs: 1000,
      run: async () => {
        await this.sweep();
      },
    });
  }

  /**
   * Re-queues stale notifications (by default queued for 30 s, or a claim abandoned for 5 min);
   * returns how many.
   */
  async sweep(): Promise<number> {
    let total = 0;
    for (;;) {
      const stale = await this.db.query<Pick<NotificationRow, 'id' | 'status' | 'claimed_at'>[]>(
        `SELECT id, status, claimed_at FROM notifications.notifications
          WHERE (status = 'queued' AND created_at < now() - make_interval(secs => $2::double precision / 1000))
             OR (status = 'sending' AND claimed_at < now() - make_interval(secs => $3::double precision / 1000))
          ORDER BY created_at LIMIT 500 OFFSET $1`,
        [
          total,
          this.config.NOTIFICATIONS_STALE_QUEUED_MS,
          this.config.NOTIFICATIONS_CLAIM_TIMEOUT_MS,
        ],
      );
      if (stale.length === 0) return total;
      const queued = stale.filter((s) => s.status === 'queued').map((s) => s.id);
      if (queued.length) await this.router.enqueue(queued, 'sweeper');
      // An abandoned claim's job may still be active under a dead worker's BullMQ lock (until
      // its lock expires and the stall check moves it), so it gets a job of its own, one per
      // claim; the row's claim decides which of the two sends, and the other skips.
      const abandoned = stale.filter((s) => s.status === 'sending');
      if (abandoned.length)
        await this.queue.addBulk(
          abandoned.map((s) => ({
            name: 'deliver',
            data: { kind: 'deliver' as const, notificationId: s.id, correlationId: 'sweeper' },
            opts: { jobId: `${s.id}-reclaim-${new Date(s.claimed_at!).getTime()}` },
          })),
        );
      total += stale.length;
      if (stale.length < 500) return total;
    }
  }

  async process(job: Job<DeliveryJob>): Promise<JobOutcome> {
    const data = job.data;
    switch (data.kind) {
      case 'deliver':
        return this.context.run({ correlationId: data.correlationId }, () =>
          inJobSpan(DELIVERY_QUEUE, data, () => this.deliver(data.notificationId, job)),
        );
      default:
        return assertNever(data.kind);
    }
  }

  private async deliver(id: string, job: Job<DeliveryJob>): Promise<JobOutcome> {
    const [claimed] = await this.db.query<[Claimed[], number]>(
      `UPDATE notifications.notifications n SET status = 'sending', claimed_at = now()
         FROM notifications.recipients r
        WHERE n.id = $1 AND r.user_id = n.user_id
          AND (n.status = 'queued' OR (n.status = 'sending' AND n.claimed_at < now() - make_interval(secs => $2::double precision / 1000)))
        RETURNING n.*, r.email, r.phone, r.push_token, r.email_verified_at, r.phone_verified_at`,
      [id, this.config.NOTIFICATIONS_CLAIM_TIMEOUT_MS],
    );
    const n = claimed[0];
    if (!n) {
      this.logger.debug(
        { notificationId: id },
        'skipped: already delivered, being delivered, or gone',
      );
      return 'skipped';
    }
    // The address may have changed since routing (a new phone starts unverified): never send to it.
    const unverified =
      (n.channel === 'email' && !n.email_verified_at) ||
      (n.channel === 'sms' && !n.phone_verified_at);
    if (unverified) {
      await this.db.query(
        `UPDATE notifications.notifications SET status = 'failed', claimed_at = NULL, error = $2 WHERE id = $1`,
        [id, `${n.channel} address not verified`],
      );
      this.logger.debug({ notificationId: id }, 'skipped: address not verified');
      return 'skipped';
    }
    const adapter: ChannelAdapter =
      n.channel === 'email' ? this.email : n.channel === 'sms' ? this.sms : this.push;
    const to = n.channel === 'email' ? n.email : n.channel === 'sms' ? n.phone : n.push_token;
    let ref: string;
    try {
      // The router only records channels with an address, and addresses can be changed, not removed.
      if (!to) throw new Error(`no ${n.channel} address`);
      ref = await adapter.send({ id, to, title: n.title, body: n.body });
      crashPoint('notification-after-send');
    } catch (err) {
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      this.metrics.notifications.inc({ channel: n.channel, outcome: last ? 'failed' : 'retry' });
      await this.db.query(
        `UPDATE notifications.notifications SET attempts = attempts + 1, error = $2, status = $3, claimed_at = NULL WHERE id = $1`,
        [id, scrub(err instanceof Error ? err.message : String(err)), last ? 'failed' : 'queued'],
      );
      throw new Error(scrub(err instanceof Error ? err.message : String(err)));
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await this.db.query(
          `UPDATE notifications.notifications SET status = 'sent', provider_ref = $2, sent_at = now(), attempts = attempts + 1, error = NULL WHERE id = $1`,
          [id, ref],
        );
        this.metrics.notifications.inc({ channel: n.channel, outcome: 'sent' });
        return 'done';
      } catch (err) {
        if (attempt >= 5) {
          // Sent but not recorded: the row stays `sending`, and this job must not send it again.
          this.logger.error({ notificationId: id, err }, 'sent, but could not record it');
          return 'done';
        }
        await new Promise((r) => setTimeout(r, backoffMs(attempt, 200, 2000)));
      }
    }
  }
}
