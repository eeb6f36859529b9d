import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, Authenticated, CurrentUser, PageQuery, type Principal } from '@app/platform';
import { PostPage } from '../posts/posts.dto.js';
import { SOCIAL_ERRORS } from '../social.error.js';
import { HandleParam } from './profiles.dto.js';
import { GetTimeline } from './timeline.handler.js';

/** An author's timeline. */
@ApiTags('social')
@Authenticated()
@Controller('v1/social/profiles')
export class TimelineController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':handle/posts')
  @ApiOperation({
    summary: 'A profile’s posts and shares, newest first (cursor paged)',
    description:
      'Published posts and shares, not comments nor deleted posts (drafts are at ' +
      '`GET /v1/social/posts/drafts`). For the next page send `cursor` = `nextCursor` until it ' +
      'is null. A profile that blocks you answers 404 `social.profile_not_found`, as an unknown ' +
      'handle does; one you block shows no posts.',
  })
  @ApiOkResponse({ type: PostPage })
  @ApiProblems(SOCIAL_ERRORS, ['social.profile_not_found'], { validated: true })
  listProfilePosts(
    @CurrentUser() user: Principal,
    @Param() { handle }: HandleParam,
    @Query() page: PageQuery,
  ): Promise<PostPage> {
    return this.queries.execute(new GetTimeline(user.userId, handle, page));
  }
}
