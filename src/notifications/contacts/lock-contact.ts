import type { EntityManager } from 'typeorm';
import { NotificationsError } from '../notifications.error.js';
import { noProfileYet } from '../preferences/get-preferences.handler.js';
import type { RecipientRow } from '../preferences/recipient.entity.js';
import type { VerifiableChannel } from './contact-verification.entity.js';

export interface LockedContact {
  recipient: RecipientRow;
  /** The email or phone the channel sends to. */
  contact: string;
  verified: boolean;
}

/**
 * The recipient row, locked for the rest of the transaction (requesting and confirming a code
 * are serialised per user), and the channel's contact: 404 before the profile exists, 409 with
 * no phone to verify.
 */
export async function lockContact(
  m: EntityManager,
  userId: string,
  channel: VerifiableChannel,
): Promise<LockedContact> {
  const [recipient]: RecipientRow[] = await m.query(
    `SELECT * FROM notifications.recipients WHERE user_id = $1 FOR UPDATE`,
    [userId],
  );
  if (!recipient) throw noProfileYet();
  const contact = channel === 'email' ? recipient.email : recipient.phone;
  if (!contact) {
    throw new NotificationsError(
      'notifications.contact_missing',
      'No phone to verify: add one with PUT /v1/notifications/preferences first.',
    );
  }
  const verifiedAt =
    channel === 'email' ? recipient.email_verified_at : recipient.phone_verified_at;
  return { recipient, contact, verified: Boolean(verifiedAt) };
}
