import type { ContextConfig } from '@app/platform';
import { IsIn, IsOptional, IsString, Matches, MinLength } from 'class-validator';

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

  problems(): string[] {
    const problems: string[] = [];
    if (this.SMS_PROVIDER === 'twilio' && !this.SMS_API_URL)
      problems.push('SMS_API_URL: required when SMS_PROVIDER=twilio');
    if (this.PUSH_PROVIDER === 'fcm' && !this.PUSH_API_URL)
      problems.push('PUSH_API_URL: required when PUSH_PROVIDER=fcm');
    return problems;
  }
}
