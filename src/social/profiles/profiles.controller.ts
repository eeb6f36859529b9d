import { Body, Controller, Get, Param, Patch } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, Authenticated, CurrentUser, type Principal } from '@app/platform';
import { SOCIAL_ERRORS } from '../social.error.js';
import { GetProfile } from './get-profile.handler.js';
import { HandleParam, ProfileView, UpdateProfileRequest } from './profiles.dto.js';
import { UpdateProfile } from './update-profile.handler.js';

const ERRORS = SOCIAL_ERRORS;

/** Profiles: your own, and others' by handle. */
@ApiTags('social')
@Authenticated()
@Controller('v1/social/profiles')
export class ProfilesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get('me')
  @ApiOperation({
    summary: 'Your social profile',
    description:
      'Your profile: handle, display name, bio, avatar and follower/following/post counts. It is ' +
      'created a moment after you register (from `identity.user-registered`), with the handle ' +
      'taken from your email (a number added when that is taken); change it with `PATCH`.',
  })
  @ApiOkResponse({ type: ProfileView })
  @ApiProblems(ERRORS, ['social.profile_not_found'])
  getMyProfile(@CurrentUser() user: Principal): Promise<ProfileView> {
    return this.queries.execute(new GetProfile(user.userId, 'me'));
  }

  @Patch('me')
  @ApiOperation({
    summary: 'Change your handle, display name, bio or avatar',
    description:
      'Only the fields sent change. A handle is 1–30 letters, digits or `_`, unique regardless ' +
      'of case (409 `social.handle_taken`). The avatar is an image you uploaded with ' +
      '`POST /v1/social/media` (someone else’s or a video answers 404 `social.media_not_found`); ' +
      '`null` removes it. Answers the profile.',
  })
  @ApiOkResponse({ type: ProfileView })
  @ApiProblems(
    ERRORS,
    ['social.profile_not_found', 'social.handle_taken', 'social.media_not_found'],
    {
      validated: true,
    },
  )
  updateMyProfile(
    @CurrentUser() user: Principal,
    @Body() body: UpdateProfileRequest,
  ): Promise<ProfileView> {
    return this.commands.execute(new UpdateProfile(user.userId, body));
  }

  @Get(':handle')
  @ApiOperation({
    summary: 'A profile by handle, with its counts and how you are related',
    description:
      'Handles match regardless of case. `relationship` says whether you follow, block or mute ' +
      'them and whether they follow you. A profile whose owner blocks you answers 404, like a ' +
      'handle that does not exist.',
  })
  @ApiOkResponse({ type: ProfileView })
  @ApiProblems(ERRORS, ['social.profile_not_found'], { validated: true })
  getProfile(
    @CurrentUser() user: Principal,
    @Param() { handle }: HandleParam,
  ): Promise<ProfileView> {
    return this.queries.execute(new GetProfile(user.userId, handle));
  }
}
