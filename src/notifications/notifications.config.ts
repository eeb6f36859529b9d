import { envInt, type ContextConfig } from '@app/platform';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Min, MinLength } from 'class-validator';

/** Notifications' environment variables (validated at boot when the process hosts notifications). */
export class NotificationsConfig implements ContextConfig {
  /** SMTP server for email (`smtp://user:pass@host:587`). Unset: messages are kept in the delivery log only. */
  @IsOptional()
  @IsString()
  @Matches(/^smtps?:\/\//, { message: 'SMTP_URL must start with smtp:// or smtps://' })
  SMTP_URL?: string;

  @IsString()
  @MinLength(3)
  MAIL_FROM = 'Five Businesses <no-reply@five-businesses.dev>';

  /** `sandbox` records deliveries; `twilio` calls a Twilio-shaped HTTP API. */
  @IsIn(['sandbox', 'twilio'])
  SMS_PROVIDER: 'sandbox' | 'twilio' = 'sandbox';

  @IsOptional()
  @IsString()
  SMS_API_URL?: string;

  @IsOptional()
  @IsString()
  SMS_API_KEY?: string;

  /** `sandbox` records deliveries; `fcm` calls an FCM-shaped HTTP API. */
  @IsIn(['sandbox', 'fcm'])
  PUSH_PROVIDER: 'sandbox' | 'fcm' = 'sandbox';

  @IsOptional()
  @IsString()
  PUSH_API_URL?: string;

  @IsOptional()
  @IsString()
  PUSH_API_KEY?: string;

  /**
   * A `sending` claim older than this is taken to belong to a worker that died mid-send, and the
   * message is sent again: after a crash between the provider's accept and `sent`, a message goes
   * out at most once more, with the same id (email Message-ID), so a receiver can drop it.
   * Keep it well above the slowest provider call.
   */
  @Transform(envInt)
  @IsInt()
  @Min(1000)
  NOTIFICATIONS_CLAIM_TIMEOUT_MS = 5 * 60_000;

  /** How often the sweeper re-queues stale notifications (an enqueue lost, an abandoned claim). */
  @Transform(envInt)
  @IsInt()
  @Min(100)
  NOTIFICATIONS_SWEEP_INTERVAL_MS = 30_000;

  /** A notification `queued` this long without being sent is re-queued by the sweeper. */
  @Transform(envInt)
  @IsInt()
  @Min(100)
  NOTIFICATIONS_STALE_QUEUED_MS = 30_000;

  /**
   * BullMQ lock of a delivery job: a worker silent this long (event loop blocked, process
   * stopped) loses the job, which runs again on another worker; the row's claim makes that run
   * skip, so nothing is sent twice.
   */
  @Transform(envInt)
  @IsInt()
  @Min(1000)
  NOTIFICATIONS_JOB_LOCK_MS = 30_000;

  /** How often delivery workers look for jobs whose lock expired (stalled jobs). */
  @Transform(envInt)
  @IsInt()
  @Min(500)
  NOTIFICATIONS_STALLED_CHECK_MS = 30_000;

  problems(): string[] {
    const problems: string[] = [];
    if (this.SMS_PROVIDER === 'twilio' && !this.SMS_API_URL)
      problems.push('SMS_API_URL: required when SMS_PROVIDER=twilio');
    if (this.PUSH_PROVIDER === 'fcm' && !this.PUSH_API_URL)
      problems.push('PUSH_API_URL: required when PUSH_PROVIDER=fcm');
    return problems;
  }
}
