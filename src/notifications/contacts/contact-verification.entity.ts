import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Channels whose address must be verified before anything but its code is sent to it. */
export const VERIFIABLE = ['email', 'sms'] as const;
export type VerifiableChannel = (typeof VERIFIABLE)[number];

const pk = { primaryKeyConstraintName: 'PK_contact_verifications' };

/**
 * The pending verification code of one user's address on one channel. Only a hash of the code is
 * kept; `sends` counts the codes sent since `window_started_at` (the resend limit).
 */
@Entity({ schema: 'notifications', name: 'contact_verifications' })
export class ContactVerification {
  @PrimaryColumn('uuid', { name: 'user_id', ...pk }) userId: string;
  @PrimaryColumn('text', pk) channel: VerifiableChannel;
  /** The address the code was sent to: a code never verifies a later address. */
  @Column('text') contact: string;
  @Column('text', { name: 'code_hash' }) codeHash: string;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt: Date;
  @Column('int', { default: 0 }) attempts: number;
  @Column('int', { default: 0 }) sends: number;
  @Column('timestamptz', { name: 'window_started_at', default: () => 'now()' })
  windowStartedAt: Date;
}

/** A `notifications.contact_verifications` row as raw SQL returns it. */
export interface ContactVerificationRow {
  user_id: string;
  channel: VerifiableChannel;
  contact: string;
  code_hash: string;
  expires_at: Date;
  attempts: number;
  sends: number;
  window_started_at: Date;
}
