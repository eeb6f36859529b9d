import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { IntegrationEvent } from '@app/contracts';
import { currentTraceparent, queueName, Realtime, type JobData, type Tx } from '@app/platform';
import type { Queue } from 'bullmq';
import { v7 as uuidv7 } from 'uuid';
import type { RecipientRow } from '../preferences/recipient.entity.js';
import type { Channel, Priority } from './notification.entity.js';

export const DELIVERY_QUEUE = queueName('notifications', 'deliver');
export type DeliveryJob = JobData<'deliver', { notificationId: string }>;

/**
 * Which channels a priority uses:
 * - critical → every channel the user can be reached on, at once (opt-outs don't apply);
 * - high → push + in-app, and email instead when push cannot reach them (off or no token);
 *   opt-outs apply (mentions);
 * - normal → push + in-app (push only if enabled);
 * - low → in-app.
 * Channels without an address (no phone, no push token) are skipped, and so are an email or a
 * phone not verified yet: otherwise anyone could make the service message any address.
 */
const CHANNELS: Record<Priority, Channel[]> = {
  critical: ['email', 'sms', 'push', 'in_app'],
  high: ['email', 'push', 'in_app'],
  normal: ['push', 'in_app'],
  low: ['in_app'],
};

export interface Routed {
  eventId: string;
  eventType: string;
  userId: string;
  priority: Priority;
  title: string;
  body: string;
  /** The inbox burst it joins (see inbox/grouping.ts); absent: shown on its own. */
  groupKey?: string;
  /** Who caused it and the name the inbox shows for them (social activity). */
  actorId?: string;
  actorName?: string;
}

/** What a consumer routes for `event`: the event's id and type, to one user. */
export function routed(
  event: IntegrationEvent,
  userId: string,
  message: Pick<Routed, 'priority' | 'title' | 'body' | 'groupKey' | 'actorId' | 'actorName'>,
): Routed {
  return { eventId: event.metadata!.id, eventType: event.type, userId, ...message };
}

@Injectable()
export class NotificationRouter {
  constructor(
    @InjectQueue(DELIVERY_QUEUE) private readonly queue: Queue<DeliveryJob>,
    private readonly realtime: Realtime,
  ) {}

  /**
   * Records one notification per channel inside the consumer's transaction (the unique key on
   * (event, user, channel) makes a repeat a no-op), queues the deliveries after commit, and
   * pushes a new in-app one to the user's open WebSockets (`notification`). Returns the channels
   * used.
   */
  async route(tx: Tx, n: Routed, correlationId: string): Promise<Channel[]> {
    const [r]: RecipientRow[] = await tx.manager.query(
      `SELECT * FROM notifications.recipients WHERE user_id = $1`,
      [n.userId],
    );
    // Not known yet (identity.user-registered still on its way, or retrying): fail this delivery
    // so the inbox retries it with backoff — and parks it, visibly, if the user never appears.
    if (!r) throw new Error(`recipient ${n.userId} is not known yet`);
    const critical = n.priority === 'critical';
    const reachable: Record<Channel, boolean> = {
      email: Boolean(r.email && r.email_verified_at) && (critical || r.email_enabled),
      sms: Boolean(r.phone && r.phone_verified_at) && (critical || r.sms_enabled),
      push: Boolean(r.push_token) && (critical || r.push_enabled),
      in_app: true,
    };
    // high: email only stands in for a push that cannot reach them.
    if (n.priority === 'high' && reachable.push) reachable.email = false;
    const channels = CHANNELS[n.priority].filter((c) => reachable[c]);
    const ids = channels.map(() => uuidv7());
    const inserted: { id: string; channel: Channel; created_at: Date }[] = await tx.manager.query(
      `INSERT INTO notifications.notifications (id, user_id, event_id, event_type, channel, priority, title, body, status, sent_at, group_key, actor_id, actor_name)
       SELECT id, $1, $2, $3, ch, $4, $5, $6, CASE WHEN ch = 'in_app' THEN 'sent' ELSE 'queued' END, CASE WHEN ch = 'in_app' THEN now() END, $9, $10, $11
         FROM unnest($7::uuid[], $8::text[]) AS c(id, ch)
       ON CONFLICT (event_id, user_id, channel) DO NOTHING
       RETURNING id, channel, created_at`,
      [
        n.userId,
        n.eventId,
        n.eventType,
        n.priority,
        n.title,
        n.body,
        ids,
        channels,
        n.groupKey ?? null,
        n.actorId ?? null,
        n.actorName ?? null,
      ],
    );
    const toSend = inserted.filter((i) => i.channel !== 'in_app').map((i) => i.id);
    // A failed enqueue is logged and counted by the platform; the sweeper queues them later.
    if (toSend.length) tx.afterCommit(() => this.enqueue(toSend, correlationId));
    const inApp = inserted.find((i) => i.channel === 'in_app');
    // Best effort (a failure is logged and counted by the platform): the inbox has it anyway.
    if (inApp) tx.afterCommit(() => this.pushInApp(n, inApp.id, inApp.created_at));
    return channels;
  }

  /** The new inbox item, as `GET /v1/notifications` shows it unread, to the user's open sockets. */
  private async pushInApp(n: Routed, id: string, createdAt: Date): Promise<void> {
    await this.realtime.pushToUsers([n.userId], 'notification', {
      id,
      eventType: n.eventType,
      priority: n.priority,
      title: n.title,
      body: n.body,
      createdAt: new Date(createdAt).toISOString(),
      readAt: null,
    });
  }

  /**
   * Job ids are the notification ids: re-queuing one that is waiting adds nothing. A job that
   * BullMQ already finished or failed (while its row is still queued) is removed and added anew.
   */
  async enqueue(notificationIds: string[], correlationId: string): Promise<void> {
    for (const id of notificationIds) {
      const job = await this.queue.getJob(id);
      if (job && ((await job.isFailed()) || (await job.isCompleted()))) await job.remove();
    }
    const traceparent = currentTraceparent();
    await this.queue.addBulk(
      notificationIds.map((id) => ({
        name: 'deliver',
        data: {
          kind: 'deliver' as const,
          notificationId: id,
          correlationId,
          ...(traceparent ? { traceparent } : {}),
        },
        opts: { jobId: id },
      })),
    );
  }
}
