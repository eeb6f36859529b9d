import { Body, Controller, HttpCode, Param, ParseEnumPipe, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiAcceptedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import {
  ApiProblems,
  Authenticated,
  CurrentUser,
  PLATFORM_ERRORS,
  type Principal,
} from '@app/platform';
import { NOTIFICATIONS_ERRORS } from '../notifications.error.js';
import { Preferences } from '../preferences/preferences.dto.js';
import { VERIFIABLE, type VerifiableChannel } from './contact-verification.entity.js';
import { ConfirmVerification } from './confirm-verification.handler.js';
import { ConfirmVerificationRequest, VerificationSent } from './contacts.dto.js';
import { RequestVerification } from './request-verification.handler.js';

const ERRORS = { ...NOTIFICATIONS_ERRORS, ...PLATFORM_ERRORS };

/** `{channel}`: `email` or `sms`; anything else answers 400 `platform.bad_request`. */
function ChannelParam(): ParameterDecorator {
  return (target, key, index) => {
    Param('channel', new ParseEnumPipe({ email: 'email', sms: 'sms' }))(target, key, index);
    if (key === undefined) return;
    ApiParam({
      name: 'channel',
      enum: VERIFIABLE,
      description: '`email` (the address you registered with) or `sms` (the phone you added)',
    })(target, key, Object.getOwnPropertyDescriptor(target, key)!);
  };
}

/** Proving an email or phone is yours: until then it receives nothing but its code. */
@ApiTags('notifications')
@Authenticated()
@Controller('v1/notifications/contacts')
export class ContactsController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':channel/verification')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send a verification code to your email or phone',
    description:
      'Sends a 6-digit code by `email` to the address you registered with, or by `sms` to the ' +
      'phone set with `PUT /v1/notifications/preferences`, and answers **202**. Until an ' +
      'address is verified it receives nothing else — not even critical messages (order ' +
      'confirmed or failed, refunds), which still reach the in-app inbox. The code is valid for ' +
      '10 minutes and for 5 wrong guesses; a new request replaces it. At most 5 codes per ' +
      'channel an hour (429 `notifications.verification_throttled`, with `retryAfter`). A ' +
      'changed phone starts unverified. 409 `notifications.contact_missing` without a phone, ' +
      '409 `notifications.contact_verified` when there is nothing to verify; 404 ' +
      '`notifications.not_found` until the profile exists (a moment after registering).',
  })
  @ApiAcceptedResponse({ type: VerificationSent })
  @ApiProblems(ERRORS, [
    'platform.bad_request',
    'platform.unavailable',
    'notifications.not_found',
    'notifications.contact_missing',
    'notifications.contact_verified',
    'notifications.verification_throttled',
  ])
  requestContactVerification(
    @CurrentUser() user: Principal,
    @ChannelParam() channel: VerifiableChannel,
  ): Promise<VerificationSent> {
    return this.commands.execute(new RequestVerification(user.userId, channel));
  }

  @Post(':channel/verification/confirm')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Confirm your email or phone with the code sent to it',
    description:
      'Checks `code` against the latest code sent by `POST …/verification` to your current ' +
      'address; on a match the address is verified and this answers **200** with your ' +
      'preferences (`emailVerified` / `phoneVerified`). A wrong or expired code answers 422 ' +
      '`notifications.verification_failed` (with `attemptsLeft` for a wrong one); the fifth ' +
      'wrong code, and any code after it, answers 409 `notifications.verification_locked` — ' +
      'request a new code. Confirming an address already verified answers 200 and changes ' +
      'nothing.',
  })
  @ApiOkResponse({ type: Preferences })
  @ApiProblems(
    ERRORS,
    [
      'notifications.not_found',
      'notifications.contact_missing',
      'notifications.verification_failed',
      'notifications.verification_locked',
    ],
    { validated: true },
  )
  confirmContactVerification(
    @CurrentUser() user: Principal,
    @ChannelParam() channel: VerifiableChannel,
    @Body() body: ConfirmVerificationRequest,
  ): Promise<Preferences> {
    return this.commands.execute(new ConfirmVerification(user.userId, channel, body.code));
  }
}
