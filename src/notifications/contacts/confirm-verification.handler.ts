import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { NotificationsError } from '../notifications.error.js';
import { mapPreferences, type Preferences } from '../preferences/preferences.dto.js';
import type { ContactVerificationRow, VerifiableChannel } from './contact-verification.entity.js';
import { lockContact } from './lock-contact.js';
import type { RecipientRow } from '../preferences/recipient.entity.js';
import { codeMatches, hashCode, MAX_ATTEMPTS } from './verification-code.js';

export class ConfirmVerification extends Command<Preferences> {
  constructor(
    readonly userId: string,
    readonly channel: VerifiableChannel,
    readonly code: string,
  ) {
    super();
  }
}

type Outcome = { ok: true; preferences: Preferences } | { ok: false; error: NotificationsError };

const failed = (detail: string, attemptsLeft?: number) =>
  new NotificationsError(
    'notifications.verification_failed',
    detail,
    attemptsLeft === undefined ? {} : { attemptsLeft },
  );
const locked = () =>
  new NotificationsError(
    'notifications.verification_locked',
    `${MAX_ATTEMPTS} wrong codes: request a new code and enter that one.`,
  );

/**
 * Marks the address verified when the code matches the latest one sent to it. A wrong guess is
 * counted in the same transaction (so the outcome is returned, not thrown, and committed); after
 * MAX_ATTEMPTS wrong guesses the code is dead. Confirming an address already verified is a no-op.
 */
@CommandHandler(ConfirmVerification)
export class ConfirmVerificationHandler implements ICommandHandler<ConfirmVerification> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ userId, channel, code }: ConfirmVerification): Promise<Preferences> {
    const outcome = await this.db.transaction(async (m): Promise<Outcome> => {
      const { recipient: r, contact, verified } = await lockContact(m, userId, channel);
      if (verified) return { ok: true, preferences: mapPreferences(r) };
      const [v]: (ContactVerificationRow & { expired: boolean })[] = await m.query(
        `SELECT *, expires_at <= now() AS expired FROM notifications.contact_verifications
          WHERE user_id = $1 AND channel = $2 FOR UPDATE`,
        [userId, channel],
      );
      if (!v || v.contact !== contact || v.code_hash === '')
        return {
          ok: false,
          error: failed('No code was sent to your current address; request one.'),
        };
      if (v.attempts >= MAX_ATTEMPTS) return { ok: false, error: locked() };
      if (v.expired)
        return { ok: false, error: failed('The code has expired; request a new one.') };
      if (!codeMatches(v.code_hash, hashCode(userId, channel, contact, code))) {
        await m.query(
          `UPDATE notifications.contact_verifications SET attempts = attempts + 1 WHERE user_id = $1 AND channel = $2`,
          [userId, channel],
        );
        const left = MAX_ATTEMPTS - v.attempts - 1;
        return {
          ok: false,
          error: left === 0 ? locked() : failed(`Wrong code; ${left} attempts left.`, left),
        };
      }
      // The used code is spent; the row stays, so the hour's count of codes stays too.
      await m.query(
        `UPDATE notifications.contact_verifications SET code_hash = '', expires_at = now() WHERE user_id = $1 AND channel = $2`,
        [userId, channel],
      );
      const [rows]: [RecipientRow[], number] = await m.query(
        `UPDATE notifications.recipients
            SET ${channel === 'email' ? 'email_verified_at' : 'phone_verified_at'} = now(), updated_at = now()
          WHERE user_id = $1 RETURNING *`,
        [userId],
      );
      return { ok: true, preferences: mapPreferences(rows[0]!) };
    });
    if (!outcome.ok) throw outcome.error;
    return outcome.preferences;
  }
}
