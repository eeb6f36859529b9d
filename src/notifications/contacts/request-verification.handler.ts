import { Logger } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { PlatformError } from '@app/platform';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { EmailChannel, SmsChannel } from '../delivery/channels.js';
import { NotificationsError } from '../notifications.error.js';
import type { VerifiableChannel } from './contact-verification.entity.js';
import { lockContact } from './lock-contact.js';
import type { VerificationSent } from './contacts.dto.js';
import { CODE_TTL_MINUTES, hashCode, MAX_SENDS_PER_HOUR, newCode } from './verification-code.js';

export class RequestVerification extends Command<VerificationSent> {
  constructor(
    readonly userId: string,
    readonly channel: VerifiableChannel,
  ) {
    super();
  }
}

/**
 * Sends a new 6-digit code to the user's current email or phone — the one message an unverified
 * address receives. The code is sent inside the transaction that stores its hash: a failed send
 * rolls back and does not use up one of the hour's codes.
 */
@CommandHandler(RequestVerification)
export class RequestVerificationHandler implements ICommandHandler<RequestVerification> {
  private readonly logger = new Logger(RequestVerificationHandler.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly email: EmailChannel,
    private readonly sms: SmsChannel,
  ) {}

  execute({ userId, channel }: RequestVerification): Promise<VerificationSent> {
    return this.db.transaction(async (m) => {
      const { contact, verified } = await lockContact(m, userId, channel);
      if (verified)
        throw new NotificationsError(
          'notifications.contact_verified',
          `Your ${channel === 'email' ? 'email' : 'phone'} is already verified.`,
        );
      const code = newCode();
      // One row per user and channel, kept across address changes, so changing the phone does
      // not reset the hour's count of codes.
      const [sent]: { sends: number; expires_at: Date }[] = await m.query(
        `INSERT INTO notifications.contact_verifications AS v
                (user_id, channel, contact, code_hash, expires_at, attempts, sends, window_started_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(mins => $5), 0, 1, now())
         ON CONFLICT (user_id, channel) DO UPDATE
            SET contact = EXCLUDED.contact, code_hash = EXCLUDED.code_hash,
                expires_at = EXCLUDED.expires_at, attempts = 0,
                sends = CASE WHEN v.window_started_at <= now() - interval '1 hour' THEN 1 ELSE v.sends + 1 END,
                window_started_at = CASE WHEN v.window_started_at <= now() - interval '1 hour' THEN now() ELSE v.window_started_at END
          WHERE v.window_started_at <= now() - interval '1 hour' OR v.sends < $6
         RETURNING sends, expires_at`,
        [
          userId,
          channel,
          contact,
          hashCode(userId, channel, contact, code),
          CODE_TTL_MINUTES,
          MAX_SENDS_PER_HOUR,
        ],
      );
      if (!sent) {
        const [{ wait }]: { wait: number }[] = await m.query(
          `SELECT greatest(1, ceil(extract(epoch FROM window_started_at + interval '1 hour' - now())))::int AS wait
             FROM notifications.contact_verifications WHERE user_id = $1 AND channel = $2`,
          [userId, channel],
        );
        throw new NotificationsError(
          'notifications.verification_throttled',
          `At most ${MAX_SENDS_PER_HOUR} codes an hour per channel; try again in ${wait} seconds.`,
          { retryAfter: wait },
        );
      }
      try {
        await (channel === 'email' ? this.email : this.sms).send({
          id: uuidv7(),
          to: contact,
          title: 'Your verification code',
          body: `Your verification code is ${code}. It expires in ${CODE_TTL_MINUTES} minutes.`,
        });
      } catch (err) {
        // The provider's message may quote the address; the code is never logged.
        this.logger.warn({ channel, err: (err as Error).name }, 'verification code not sent');
        throw new PlatformError(
          'platform.unavailable',
          503,
          `The code could not be sent by ${channel} now; try again shortly.`,
        );
      }
      return {
        channel,
        expiresAt: new Date(sent.expires_at).toISOString(),
        sendsLeft: MAX_SENDS_PER_HOUR - sent.sends,
      };
    });
  }
}
