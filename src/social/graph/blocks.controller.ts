import { Controller, Delete, Get, Param, Put, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, Authenticated, CurrentUser, PageQuery, type Principal } from '@app/platform';
import { HandleParam, ProfileView } from '../profiles/profiles.dto.js';
import { SOCIAL_ERRORS } from '../social.error.js';
import { BlockProfile } from './block-profile.handler.js';
import { ProfilePage } from './graph.dto.js';
import { ListRelations } from './list-relations.handler.js';
import { MuteProfile } from './mute-profile.handler.js';
import { UnblockProfile } from './unblock-profile.handler.js';

const ERRORS = SOCIAL_ERRORS;
const CHANGE_ERRORS = ['social.self_follow', 'social.profile_not_found'] as const;

/** Blocks and mutes: set and lift them by handle, list your own. */
@ApiTags('social')
@Authenticated()
@Controller('v1/social')
export class BlocksController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Put('profiles/:handle/block')
  @ApiOperation({
    summary: 'Block a profile (idempotent)',
    description:
      'Both follows between you end, their posts leave your feed, and from now on they cannot ' +
      'follow you, see your profile or posts (404, as if you did not exist) or notify you. They ' +
      'are not told. Blocking twice changes nothing. Answers their profile with ' +
      '`relationship.blocking: true`; lift it with `DELETE`. 400 `social.self_follow` for ' +
      'yourself; 404 when the handle does not exist or they block you.',
  })
  @ApiOkResponse({ type: ProfileView })
  @ApiProblems(ERRORS, [...CHANGE_ERRORS], { validated: true })
  blockProfile(
    @CurrentUser() user: Principal,
    @Param() { handle }: HandleParam,
  ): Promise<ProfileView> {
    return this.commands.execute(new BlockProfile(user.userId, handle));
  }

  @Delete('profiles/:handle/block')
  @ApiOperation({
    summary: 'Unblock a profile (idempotent)',
    description:
      'They can see you and follow you again; the follows the block ended are not restored. ' +
      'Answers their profile with `relationship.blocking: false`.',
  })
  @ApiOkResponse({ type: ProfileView })
  @ApiProblems(ERRORS, [...CHANGE_ERRORS], { validated: true })
  unblockProfile(
    @CurrentUser() user: Principal,
    @Param() { handle }: HandleParam,
  ): Promise<ProfileView> {
    return this.commands.execute(new UnblockProfile(user.userId, handle));
  }

  @Put('profiles/:handle/mute')
  @ApiOperation({
    summary: 'Mute a profile (idempotent)',
    description:
      'Their posts never reach your feed, even while you follow them; nothing else changes and ' +
      'they are not told. Answers their profile with `relationship.muting: true`; `DELETE` ' +
      'unmutes. 400 `social.self_follow` for yourself; 404 for an unknown handle or one that ' +
      'blocks you.',
  })
  @ApiOkResponse({ type: ProfileView })
  @ApiProblems(ERRORS, [...CHANGE_ERRORS], { validated: true })
  muteProfile(
    @CurrentUser() user: Principal,
    @Param() { handle }: HandleParam,
  ): Promise<ProfileView> {
    return this.commands.execute(new MuteProfile(user.userId, handle, true));
  }

  @Delete('profiles/:handle/mute')
  @ApiOperation({
    summary: 'Unmute a profile (idempotent)',
    description:
      'Their posts reach your feed again if you follow them. Answers their profile with ' +
      '`relationship.muting: false`.',
  })
  @ApiOkResponse({ type: ProfileView })
  @ApiProblems(ERRORS, [...CHANGE_ERRORS], { validated: true })
  unmuteProfile(
    @CurrentUser() user: Principal,
    @Param() { handle }: HandleParam,
  ): Promise<ProfileView> {
    return this.commands.execute(new MuteProfile(user.userId, handle, false));
  }

  @Get('blocks')
  @ApiOperation({
    summary: 'The profiles you block (cursor paged)',
    description:
      'Newest block first; only yours (nobody can list another’s). Next page: `cursor` = ' +
      '`nextCursor`. Unblock with `DELETE /v1/social/profiles/{handle}/block`.',
  })
  @ApiOkResponse({ type: ProfilePage })
  @ApiProblems(ERRORS, [], { validated: true })
  listBlocks(@CurrentUser() user: Principal, @Query() page: PageQuery): Promise<ProfilePage> {
    return this.queries.execute(new ListRelations(user.userId, 'blocks', page));
  }

  @Get('mutes')
  @ApiOperation({
    summary: 'The profiles you mute (cursor paged)',
    description:
      'Newest mute first; only yours (nobody can list another’s). Next page: `cursor` = ' +
      '`nextCursor`. Unmute with `DELETE /v1/social/profiles/{handle}/mute`.',
  })
  @ApiOkResponse({ type: ProfilePage })
  @ApiProblems(ERRORS, [], { validated: true })
  listMutes(@CurrentUser() user: Principal, @Query() page: PageQuery): Promise<ProfilePage> {
    return this.queries.execute(new ListRelations(user.userId, 'mutes', page));
  }
}
