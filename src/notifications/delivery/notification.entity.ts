import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type Channel = 'email' | 'sms' | 'push' | 'in_app';
export type Priority = 'critical' | 'high' | 'normal' | 'low';
/** queued → sending → sent | failed (back to queued for a retry); in-app rows are `sent` when stored. */
export type NotificationStatus = 'queued' | 'sending' | 'sent' | 'failed';

/**
 * One notification of one event to one user on one channel — the unique key makes a duplicate
 * event unable to send twice. In-app rows are the inbox; the others are the delivery log.
 */
@Entity({ schema: 'notifications', name: 'notifications' })
@Index('notifications_once_key', ['eventId', 'userId', 'channel'], { unique: true })
@Index('notifications_inbox_idx', ['userId', 'channel', 'createdAt'])
@Index('notifications_queued_idx', ['createdAt'], { where: "status IN ('queued', 'sending')" })
@Index('notifications_group_idx', ['userId', 'groupKey', 'createdAt'], {
  where: 'group_key IS NOT NULL AND read_at IS NULL',
})
export class Notification {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'user_id' }) userId: string;
  @Column('uuid', { name: 'event_id' }) eventId: string;
  @Column('text', { name: 'event_type' }) eventType: string;
  @Column('text') channel: Channel;
  @Column('text') priority: Priority;
  @Column('text') title: string;
  @Column('text') body: string;
  @Column('text') status: NotificationStatus;
  /** When a worker claimed it; older than NOTIFICATIONS_CLAIM_TIMEOUT_MS (5 min), the claim is abandoned. */
  @Column('timestamptz', { name: 'claimed_at', nullable: true }) claimedAt: Date | null;
  @Column('text', { name: 'provider_ref', nullable: true }) providerRef: string | null;
  @Column('text', { nullable: true }) error: string | null;
  @Column('int', { default: 0 }) attempts: number;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'sent_at', nullable: true }) sentAt: Date | null;
  @Column('timestamptz', { name: 'read_at', nullable: true }) readAt: Date | null;
  /** The burst this notification belongs to in the inbox (`social.post-liked:<postId>`); null: never grouped. */
  @Column('text', { name: 'group_key', nullable: true }) groupKey: string | null;
  /** Who caused it (social activity), and their name as the inbox shows it. */
  @Column('uuid', { name: 'actor_id', nullable: true }) actorId: string | null;
  @Column('text', { name: 'actor_name', nullable: true }) actorName: string | null;
}

/** A `notifications.notifications` row as raw SQL (`SELECT *` / `RETURNING *`) returns it. */
export interface NotificationRow {
  id: string;
  user_id: string;
  event_id: string;
  event_type: string;
  channel: Channel;
  priority: Priority;
  title: string;
  body: string;
  status: NotificationStatus;
  claimed_at: Date | null;
  provider_ref: string | null;
  error: string | null;
  attempts: number;
  created_at: Date;
  sent_at: Date | null;
  read_at: Date | null;
  group_key: string | null;
  actor_id: string | null;
  actor_name: string | null;
}
