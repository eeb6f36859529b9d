import { Controller, Delete, Put } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, Authenticated, CurrentUser, type Principal, UuidParam } from '@app/platform';
import { SOCIAL_ERRORS } from '../social.error.js';
import { LikePost } from './like-post.handler.js';
import { PostView } from './post-view.dto.js';
import { SharePost } from './share-post.handler.js';

const ERRORS = SOCIAL_ERRORS;
const REACTION_ERRORS = [
  'social.post_not_found',
  'social.post_deleted',
  'social.post_is_draft',
] as const;
const REFUSED =
  ' 404 `social.post_not_found` for a post you cannot see (someone else’s draft too); 409 ' +
  '`social.post_deleted` for a deleted one, `social.post_is_draft` for your own draft.';

/** Likes and shares (reposts). */
@ApiTags('social')
@Authenticated()
@Controller('v1/social/posts')
export class ReactionsController {
  constructor(private readonly commands: CommandBus) {}

  @Put(':id/like')
  @ApiOperation({
    summary: 'Like a post (idempotent)',
    description:
      'One like per person: liking again changes nothing. Answers the post with ' +
      '`likedByMe: true` and its counts; its author is told (not of your own).' +
      REFUSED,
  })
  @ApiOkResponse({ type: PostView })
  @ApiProblems(ERRORS, [...REACTION_ERRORS])
  likePost(
    @CurrentUser() user: Principal,
    @UuidParam('id', 'The post id') id: string,
  ): Promise<PostView> {
    return this.commands.execute(new LikePost(user.userId, id, true));
  }

  @Delete(':id/like')
  @ApiOperation({
    summary: 'Unlike a post (idempotent)',
    description: 'Answers the post with `likedByMe: false`.' + REFUSED,
  })
  @ApiOkResponse({ type: PostView })
  @ApiProblems(ERRORS, [...REACTION_ERRORS])
  unlikePost(
    @CurrentUser() user: Principal,
    @UuidParam('id', 'The post id') id: string,
  ): Promise<PostView> {
    return this.commands.execute(new LikePost(user.userId, id, false));
  }

  @Put(':id/share')
  @ApiOperation({
    summary: 'Share (repost) a post (idempotent)',
    description:
      'Your followers see it in their feeds and it is on your timeline, as a post of yours ' +
      'with `sharedPost`. One share per post: sharing again changes nothing; sharing a share ' +
      'shares its original. Answers the original with `sharedByMe: true`; its author is told.' +
      REFUSED,
  })
  @ApiOkResponse({ type: PostView })
  @ApiProblems(ERRORS, [...REACTION_ERRORS])
  sharePost(
    @CurrentUser() user: Principal,
    @UuidParam('id', 'The post id') id: string,
  ): Promise<PostView> {
    return this.commands.execute(new SharePost(user.userId, id, true));
  }

  @Delete(':id/share')
  @ApiOperation({
    summary: 'Undo your share (idempotent)',
    description:
      'Your share is deleted: it leaves feeds and your timeline. Answers the original with ' +
      '`sharedByMe: false`.' +
      REFUSED,
  })
  @ApiOkResponse({ type: PostView })
  @ApiProblems(ERRORS, [...REACTION_ERRORS])
  unsharePost(
    @CurrentUser() user: Principal,
    @UuidParam('id', 'The post id') id: string,
  ): Promise<PostView> {
    return this.commands.execute(new SharePost(user.userId, id, false));
  }
}
