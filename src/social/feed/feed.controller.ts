import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, Authenticated, CurrentUser, PageQuery, type Principal } from '@app/platform';
import { SOCIAL_ERRORS } from '../social.error.js';
import { FeedPage } from './feed.dto.js';
import { GetFeed } from './get-feed.handler.js';

/** The home feed. */
@ApiTags('social')
@Authenticated()
@Controller('v1/social/feed')
export class FeedController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({
    summary: 'Your home feed (cursor paged)',
    description:
      'Posts and shares by you and the people you follow, newest first, hydrated with author, ' +
      'counts, media URLs and whether you liked or shared each. Comments, drafts, deleted ' +
      'posts, people you mute and anyone a block stands between never appear. For the next ' +
      'page send `cursor` = `nextCursor` until it is null: the pages go on past what the ' +
      'feed cache holds (older pages are read from the database), with no gap and no ' +
      'duplicate. A cursor this endpoint did not issue answers 400. New items arrive as ' +
      '`feed.item` on the WebSocket (`/ws`); re-read the first page to show them. 404 ' +
      '`social.profile_not_found` only in the moment after registering, before your profile ' +
      'exists.',
  })
  @ApiOkResponse({ type: FeedPage })
  @ApiProblems(SOCIAL_ERRORS, ['social.profile_not_found'], { validated: true })
  getFeed(@CurrentUser() user: Principal, @Query() page: PageQuery): Promise<FeedPage> {
    return this.queries.execute(new GetFeed(user.userId, page));
  }
}
