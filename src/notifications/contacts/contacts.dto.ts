import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';
import { ContextSchema } from '@app/platform';
import { VERIFIABLE, type VerifiableChannel } from './contact-verification.entity.js';

/** The body of `POST …/verification/confirm`. */
@ContextSchema('notifications')
export class ConfirmVerificationRequest {
  @ApiProperty({
    example: '042917',
    pattern: '^[0-9]{6}$',
    description: 'The 6-digit code sent to the address',
  })
  @IsString()
  @MaxLength(6)
  @Matches(/^[0-9]{6}$/, { message: 'code must be the 6 digits sent' })
  code: string;
}

/** What `POST …/verification` answers: a code is on its way. */
@ContextSchema('notifications')
export class VerificationSent {
  @ApiProperty({ enum: VERIFIABLE, description: 'The channel the code was sent by' })
  channel: VerifiableChannel;
  @ApiProperty({ format: 'date-time', description: 'The code is valid until then (10 minutes)' })
  expiresAt: string;
  @ApiProperty({
    minimum: 0,
    maximum: 5,
    type: 'integer',
    format: 'int32',
    description: 'How many more codes may be requested for this channel in the current hour',
  })
  sendsLeft: number;
}
