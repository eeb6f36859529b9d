import { Column, Entity, PrimaryColumn } from 'typeorm';

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
  /** Set when the email was confirmed by a code; reset when the email changes. */
  @Column('timestamptz', { name: 'email_verified_at', nullable: true })
  emailVerifiedAt: Date | null;
  /** Set when the phone was confirmed by a code; reset when the phone changes. */
  @Column('timestamptz', { name: 'phone_verified_at', nullable: true })
  phoneVerifiedAt: Date | null;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
}

/** A `notifications.recipients` row as raw SQL (`SELECT *` / `RETURNING *`) returns it. */
export interface RecipientRow {
  user_id: string;
  email: string;
  display_name: string;
  phone: string | null;
  push_token: string | null;
  email_enabled: boolean;
  sms_enabled: boolean;
  push_enabled: boolean;
  email_verified_at: Date | null;
  phone_verified_at: Date | null;
  updated_at: Date;
}
