import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Who can be reached, and where: a projection of identity.user-registered plus what users add. */
@Entity({ schema: 'notifications', name: 'recipients' })
export class Recipient {
  @PrimaryColumn('uuid', { name: 'user_id' }) userId: string;
  @Column('text') email: string;
  @Column('text', { name: 'display_name' }) displayName: string;
  @Column('text', { nullable: true }) phone: string | null;
  @Column('text', { name: 'push_token', nullable: true }) pushToken: string | null;
  @Column('boolean', { name: 'email_enabled', default: true }) emailEnabled: boolean;
  @Column('boolean', { name: 'sms_enabled', default: true }) smsEnabled: boolean;
  @Column('boolean', { name: 'push_enabled', default: true }) pushEnabled: boolean;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
}

export type Channel = 'email' | 'sms' | 'push' | 'in_app';
export type Priority = 'critical' | 'normal' | 'low';

/**
 * One notification of one event to one user on one channel — the unique key makes a duplicate
 * event unable to send twice. In-app rows are the inbox; the others are the delivery log.
 */
@Entity({ schema: 'notifications', name: 'notifications' })
@Index('notifications_once_key', ['eventId', 'userId', 'channel'], { unique: true })
@Index('notifications_inbox_idx', ['userId', 'channel', 'createdAt'])
@Index('notifications_queued_idx', ['createdAt'], { where: "status IN ('queued', 'sending')" })
export class Notification {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'user_id' }) userId: string;
  @Column('uuid', { name: 'event_id' }) eventId: string;
  @Column('text', { name: 'event_type' }) eventType: string;
  @Column('text') channel: Channel;
  @Column('text') priority: Priority;
  @Column('text') title: string;
  @Column('text') body: string;
  /** queued → sending → sent | failed (back to queued for a retry); in-app rows are `sent` when stored. */
  @Column('text') status: 'queued' | 'sending' | 'sent' | 'failed';
  /** When a worker claimed it for sending; a claim older than 5 minutes is considered abandoned. */
  @Column('timestamptz', { name: 'claimed_at', nullable: true }) claimedAt: Date | null;
  @Column('text', { name: 'provider_ref', nullable: true }) providerRef: string | null;
  @Column('text', { nullable: true }) error: string | null;
  @Column('int', { default: 0 }) attempts: number;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'sent_at', nullable: true }) sentAt: Date | null;
  @Column('timestamptz', { name: 'read_at', nullable: true }) readAt: Date | null;
}
