import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, Authenticated, CurrentUser, PageQuery, type Principal } from '@app/platform';
import { NOTIFICATIONS_ERRORS } from '../notifications.error.js';
import { InboxItem, InboxPage } from './inbox.dto.js';
import { ListNotifications } from './list-notifications.handler.js';
import { MarkRead } from './mark-read.handler.js';

const ERRORS = NOTIFICATIONS_ERRORS;

/** The in-app inbox. Reads go straight to the read model. */
@ApiTags('notifications')
@Authenticated()
@Controller('v1/notifications')
export class InboxController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Your in-app notifications, newest first' })
  @ApiOkResponse({ type: InboxPage })
  list(@CurrentUser() user: Principal, @Query() page: PageQuery): Promise<InboxPage> {
    return this.queries.execute(new ListNotifications(user.userId, page));
  }

  @Post(':id/read')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark an in-app notification read' })
  @ApiOkResponse({ type: InboxItem })
  @ApiProblems(ERRORS, ['notifications.not_found'])
  read(
    @CurrentUser() user: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<InboxItem> {
    return this.commands.execute(new MarkRead(user.userId, id));
  }
}
