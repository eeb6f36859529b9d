import { Controller, Delete, Get, Param, Put, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, Authenticated, CurrentUser, PageQuery, type Principal } from '@app/platform';
import { HandleParam, ProfileView } from '../profiles/profiles.dto.js';
import { SOCIAL_ERRORS } from '../social.error.js';
import { FollowProfile } from './follow-profile.handler.js';
import { ProfilePage } from './graph.dto.js';
import { ListFollows } from './list-follows.handler.js';
import { UnfollowProfile } from './unfollow-profile.handler.js';

const ERRORS = SOCIAL_ERRORS;

const LIST =
  'Newest follow first; for the next page send `cursor` = `nextCursor` until it is null. Each ' +
  'profile carries your `relationship` to it. A profile that blocks you answers 404 ' +
  '`social.profile_not_found`, as a handle that does not exist does.';

/** Follow and unfollow by handle; followers and following lists. */
@ApiTags('social')
@Authenticated()
@Controller('v1/social/profiles')
export class FollowsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Put(':handle/follow')
  @ApiOperation({
    summary: 'Follow a profile (idempotent)',
    description:
      'Their posts reach your feed (`GET /v1/social/feed`) from now on, with their latest ' +
      'posts merged in. Following twice is one follow and answers the same. Answers their ' +
      'profile with `relationship.following: true` and the new `followersCount`. 400 ' +
      '`social.self_follow` for your own handle; 404 `social.profile_not_found` when the handle ' +
      'does not exist or a block stands between you (either way).',
  })
  @ApiOkResponse({ type: ProfileView })
  @ApiProblems(ERRORS, ['social.self_follow', 'social.profile_not_found'], { validated: true })
  followProfile(
    @CurrentUser() user: Principal,
    @Param() { handle }: HandleParam,
  ): Promise<ProfileView> {
    return this.commands.execute(new FollowProfile(user.userId, handle));
  }

  @Delete(':handle/follow')
  @ApiOperation({
    summary: 'Unfollow a profile (idempotent)',
    description:
      'Their posts leave your feed. Unfollowing someone you do not follow changes nothing and ' +
      'answers the same. Answers their profile with `relationship.following: false`.',
  })
  @ApiOkResponse({ type: ProfileView })
  @ApiProblems(ERRORS, ['social.self_follow', 'social.profile_not_found'], { validated: true })
  unfollowProfile(
    @CurrentUser() user: Principal,
    @Param() { handle }: HandleParam,
  ): Promise<ProfileView> {
    return this.commands.execute(new UnfollowProfile(user.userId, handle));
  }

  @Get(':handle/followers')
  @ApiOperation({ summary: 'Who follows a profile (cursor paged)', description: LIST })
  @ApiOkResponse({ type: ProfilePage })
  @ApiProblems(ERRORS, ['social.profile_not_found'], { validated: true })
  listFollowers(
    @CurrentUser() user: Principal,
    @Param() { handle }: HandleParam,
    @Query() page: PageQuery,
  ): Promise<ProfilePage> {
    return this.queries.execute(new ListFollows(user.userId, handle, 'followers', page));
  }

  @Get(':handle/following')
  @ApiOperation({ summary: 'Whom a profile follows (cursor paged)', description: LIST })
  @ApiOkResponse({ type: ProfilePage })
  @ApiProblems(ERRORS, ['social.profile_not_found'], { validated: true })
  listFollowing(
    @CurrentUser() user: Principal,
    @Param() { handle }: HandleParam,
    @Query() page: PageQuery,
  ): Promise<ProfilePage> {
    return this.queries.execute(new ListFollows(user.userId, handle, 'following', page));
  }
}
