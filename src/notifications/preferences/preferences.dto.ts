import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsString, Matches, MaxLength } from 'class-validator';
import { ContextSchema, OptionalField } from '@app/platform';
import type { RecipientRow } from './recipient.entity.js';

const E164 = /^\+[1-9]\d{6,14}$/;

/** The body of `PUT`: every field optional; what is left out keeps its value. */
@ContextSchema('notifications')
export class UpdatePreferencesRequest {
  @ApiPropertyOptional({
    description: 'Email for non-critical messages (critical ones always go, once verified)',
  })
  @OptionalField()
  @IsBoolean()
  email?: boolean;
  @ApiPropertyOptional({
    description: 'SMS for non-critical messages (critical ones always go, once verified)',
  })
  @OptionalField()
  @IsBoolean()
  sms?: boolean;
  @ApiPropertyOptional({
    description: 'Push for normal-priority messages (critical ones always go)',
  })
  @OptionalField()
  @IsBoolean()
  push?: boolean;
  @ApiPropertyOptional({
    example: '+15555550100',
    description: 'Phone for SMS, in E.164 form; replaces the current one',
  })
  @OptionalField()
  @IsString()
  @MaxLength(16)
  @Matches(E164, { message: 'phone must be in E.164 form, e.g. +15555550100' })
  phone?: string;
  @ApiPropertyOptional({
    description: 'Device token for push; replaces the current one (never shown back)',
    writeOnly: true,
  })
  @OptionalField()
  @IsString()
  @MaxLength(4096)
  pushToken?: string;
}

/** A recipient's channel preferences and addresses, as the user sees them. */
@ContextSchema('notifications')
export class Preferences {
  @ApiProperty({
    description: 'Email for non-critical messages (critical ones always go, once verified)',
  })
  email: boolean;
  @ApiProperty({
    description: 'SMS for non-critical messages (critical ones always go, once verified)',
  })
  sms: boolean;
  @ApiProperty({ description: 'Push for normal-priority messages (critical ones always go)' })
  push: boolean;
  @ApiPropertyOptional({
    pattern: E164.source,
    example: '+15555550100',
    description: 'Phone for SMS (E.164); absent until one is added',
  })
  phone?: string;
  @ApiPropertyOptional({
    enum: ['••••'],
    description: 'Masked: `••••` once a device token is set (it is never shown back), else absent',
  })
  pushToken?: string;
  @ApiProperty({
    description:
      'Whether the email (from registration) is verified; unverified, it receives nothing but ' +
      'its verification code (`POST /v1/notifications/contacts/email/verification`)',
  })
  emailVerified: boolean;
  @ApiProperty({
    description:
      'Whether the phone is verified (false while there is none, and again after it is ' +
      'changed); unverified, it receives nothing but its verification code',
  })
  phoneVerified: boolean;
}

/** A recipient's preferences as the user sees them: the device token is never shown back. */
export function mapPreferences(r: RecipientRow): Preferences {
  return {
    email: r.email_enabled,
    sms: r.sms_enabled,
    push: r.push_enabled,
    phone: r.phone ?? undefined,
    pushToken: r.push_token ? '••••' : undefined,
    emailVerified: r.email_verified_at !== null,
    phoneVerified: r.phone !== null && r.phone_verified_at !== null,
  };
}
