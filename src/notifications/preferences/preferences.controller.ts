import { Body, Controller, Get, Put } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, Authenticated, CurrentUser, type Principal } from '@app/platform';
import { NOTIFICATIONS_ERRORS } from '../notifications.error.js';
import { GetPreferences } from './get-preferences.handler.js';
import { Preferences, UpdatePreferencesRequest } from './preferences.dto.js';
import { UpdatePreferences } from './update-preferences.handler.js';

const ERRORS = NOTIFICATIONS_ERRORS;

/** How channels are chosen, for both operations' descriptions. */
const ROUTING =
  'Which channels a message uses depends on its priority: **critical** (order confirmed or ' +
  'failed, refunds) goes to email, SMS and push wherever the user has an address, whatever ' +
  'the switches say, and to the inbox; **normal** (the welcome) goes to push when `push` is on ' +
  'and a device token is set, and to the inbox; **low** goes to the inbox only. No message ' +
  'below critical uses email or SMS today, so `email` and `sms` are kept for those to come. ' +
  'Email and SMS go only to a **verified** address (`emailVerified`, `phoneVerified`): verify ' +
  'one with `POST /v1/notifications/contacts/{channel}/verification` and `…/confirm`; a ' +
  'changed phone starts unverified.';

/** Which channels reach the user, and the addresses they added (phone, device token). */
@ApiTags('notifications')
@Authenticated()
@Controller('v1/notifications/preferences')
export class PreferencesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Your channel preferences and addresses',
    description:
      'The channel switches (all on for a new account) and the addresses added with `PUT`: ' +
      '`phone` as given, the device token only as `••••` (it is never shown back); either is ' +
      'absent until added. The profile is created from `identity.user-registered`, a moment ' +
      'after registering: until then this answers 404 `notifications.not_found`, so retry ' +
      'shortly.\n\n' +
      ROUTING,
  })
  @ApiOkResponse({ type: Preferences })
  @ApiProblems(ERRORS, ['notifications.not_found'])
  getPreferences(@CurrentUser() user: Principal): Promise<Preferences> {
    return this.queries.execute(new GetPreferences(user.userId));
  }

  @Put()
  @ApiOperation({
    summary: 'Change channel preferences; add a phone (SMS) or device token (push)',
    description:
      'Changes only the fields sent; the others keep their value (`{}` changes nothing). A ' +
      'phone (E.164, e.g. `+15555550100`) or device token replaces the current one; neither ' +
      'can be removed. Answers **200** with the preferences as `GET` shows them. Like `GET`, ' +
      'answers 404 `notifications.not_found` until the profile exists (a moment after ' +
      'registering).\n\n' +
      ROUTING,
  })
  @ApiOkResponse({ type: Preferences })
  @ApiProblems(ERRORS, ['notifications.not_found'], { validated: true })
  setPreferences(
    @CurrentUser() user: Principal,
    @Body() body: UpdatePreferencesRequest,
  ): Promise<Preferences> {
    return this.commands.execute(new UpdatePreferences(user.userId, body));
  }
}
