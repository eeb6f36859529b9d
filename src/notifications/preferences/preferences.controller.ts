import { Body, Controller, Get, Put } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentUser, type Principal } from '@app/platform';
import { GetPreferences } from './get-preferences.handler.js';
import { Preferences } from './preferences.dto.js';
import { UpdatePreferences } from './update-preferences.handler.js';

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
  // Operation ids from before the split, so generated clients keep their method names.
  @ApiOperation({
    summary: 'Your channel preferences and addresses',
    operationId: 'InboxController_preferences',
  })
  @ApiOkResponse({ type: Preferences })
  preferences(@CurrentUser() user: Principal): Promise<Preferences> {
    return this.queries.execute(new GetPreferences(user.userId));
  }

  @Put()
  @ApiOperation({
    summary: 'Change channel preferences; add a phone (SMS) or device token (push)',
    operationId: 'InboxController_setPreferences',
  })
  @ApiOkResponse({ type: Preferences })
  setPreferences(@CurrentUser() user: Principal, @Body() body: Preferences): Promise<Preferences> {
    return this.commands.execute(new UpdatePreferences(user.userId, body));
  }
}
