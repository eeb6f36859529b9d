import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import type { RecipientRow } from './recipient.entity.js';

/** Channel preferences and addresses: the request of `PUT` (every field optional) and the answer. */
export class Preferences {
  @ApiProperty({ description: 'Email for normal-priority messages (critical ones always go)' })
  @IsOptional()
  @IsBoolean()
  email: boolean;
  @ApiProperty() @IsOptional() @IsBoolean() sms: boolean;
  @ApiProperty() @IsOptional() @IsBoolean() push: boolean;
  @ApiPropertyOptional({ example: '+15555550100', nullable: true, type: String })
  @IsOptional()
  @IsString()
  @Matches(/^\+[1-9]\d{6,14}$/, { message: 'phone must be in E.164 form, e.g. +15555550100' })
  phone?: string;
  @ApiPropertyOptional({ description: 'Device token for push', nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  pushToken?: string;
}

/** A recipient's preferences as the user sees them: the device token is never shown back. */
export function mapPreferences(r: RecipientRow): Preferences {
  return {
    email: r.email_enabled,
    sms: r.sms_enabled,
    push: r.push_enabled,
    phone: r.phone ?? undefined,
    pushToken: r.push_token ? '••••' : undefined,
  };
}
