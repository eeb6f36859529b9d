import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ApiProblems,
  Authenticated,
  CurrentUser,
  PageQuery,
  UuidParam,
  type Principal,
} from '@app/platform';
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
  @ApiOperation({
    summary: 'Your in-app notifications, newest first',
    description:
      "The signed-in user's inbox: one item per event that concerned them (a welcome after " +
      'registering, order confirmed or failed, refunds, social activity), newest first, read ' +
      'or not. A burst of unread social activity of the last 24 h — likes or shares of one ' +
      'post, comments on it, new followers — shows as one item, its newest, with `count` and ' +
      'the latest `actors` ("Ann and 12 others liked your post"). Open sockets on `/ws` get ' +
      'each new item as a `notification` event. Items ' +
      'appear a moment after the event, as the notifications context consumes it. Pages of ' +
      '`limit` items (20 by default, at most 100): pass `nextCursor` back as `cursor` for the ' +
      'next page, until it is null. Mark one read with ' +
      '`POST /v1/notifications/{id}/read`; critical items were also sent by email, SMS and ' +
      'push where the user can be reached (see `GET /v1/notifications/preferences`).',
  })
  @ApiOkResponse({ type: InboxPage })
  @ApiProblems(ERRORS, [], { validated: true })
  listNotifications(@CurrentUser() user: Principal, @Query() page: PageQuery): Promise<InboxPage> {
    return this.queries.execute(new ListNotifications(user.userId, page));
  }

  @Post(':id/read')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Mark an in-app notification read',
    description:
      'Sets `readAt` on one item of your inbox (an `id` from `GET /v1/notifications`) and ' +
      'answers **200** with the item. Idempotent: marking it again keeps the first `readAt`. ' +
      'Marking a collapsed burst (`count` > 1) marks every notification in it read. ' +
      "An id that is not in the caller's inbox answers 404 `notifications.not_found` (another " +
      "user's notification is not revealed); a malformed id answers 400.",
  })
  @ApiOkResponse({ type: InboxItem })
  @ApiProblems(ERRORS, ['notifications.not_found'])
  markNotificationRead(
    @CurrentUser() user: Principal,
    @UuidParam('id', 'A notification id from `GET /v1/notifications`') id: string,
  ): Promise<InboxItem> {
    return this.commands.execute(new MarkRead(user.userId, id));
  }
}
