import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  ApiProblems,
  Authenticated,
  CurrentUser,
  PageQuery,
  type Principal,
  UuidParam,
} from '@app/platform';
import { SOCIAL_ERRORS } from '../social.error.js';
import { CreatePost } from './create-post.handler.js';
import { DeletePost } from './delete-post.handler.js';
import { GetPost } from './get-post.handler.js';
import { ListComments } from './list-comments.handler.js';
import { ListDrafts } from './list-drafts.handler.js';
import { PostView } from './post-view.dto.js';
import { CommentPage, CreatePostRequest, PostPage } from './posts.dto.js';
import { PublishPost } from './publish-post.handler.js';

const ERRORS = SOCIAL_ERRORS;

const CREATE = `A post, a comment (\`replyToId\`: a post you can see) or a draft (\`draft: true\`). \
\`text\` is at most 500 characters as a reader counts them (an emoji, even a family or a flag, \
is one), trimmed, and may be empty only with media; \`mediaIds\` are up to 4 of your uploads \
(\`POST /v1/social/media\`). \`@handle\`s notify those profiles (the first 10).

A published post goes to your followers' feeds and your timeline \
(\`GET /v1/social/profiles/{handle}/posts\`); a comment appears under its parent \
(\`GET /v1/social/posts/{id}/comments\`) and tells its author. A draft is seen by you only, in \
\`GET /v1/social/posts/drafts\`, until \`POST /v1/social/posts/{id}/publish\`.

Nothing is written when anything is refused: 400 naming the field (too long, empty without \
media, more than 4 media), 404 \`social.media_not_found\` (not your upload), 404 \
\`social.post_not_found\` (a parent you cannot see), 409 \`social.post_deleted\` (a deleted parent) \
or \`social.post_is_draft\` (a parent that is your draft).`;

/** Posts, comments and drafts. */
@ApiTags('social')
@Authenticated()
@Controller('v1/social/posts')
export class PostsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Write a post, a comment or a draft', description: CREATE })
  @ApiCreatedResponse({ type: PostView })
  @ApiProblems(
    ERRORS,
    [
      'social.profile_not_found',
      'social.media_not_found',
      'social.post_not_found',
      'social.post_deleted',
      'social.post_is_draft',
    ],
    { validated: true },
  )
  createPost(@CurrentUser() user: Principal, @Body() body: CreatePostRequest): Promise<PostView> {
    return this.commands.execute(new CreatePost(user.userId, body));
  }

  @Get('drafts')
  @ApiOperation({
    summary: 'Your drafts, newest first (cursor paged)',
    description:
      'Only yours: nobody else can see them. Publish one with ' +
      '`POST /v1/social/posts/{id}/publish`, delete it with `DELETE /v1/social/posts/{id}`.',
  })
  @ApiOkResponse({ type: PostPage })
  @ApiProblems(ERRORS, [], { validated: true })
  listDrafts(@CurrentUser() user: Principal, @Query() page: PageQuery): Promise<PostPage> {
    return this.queries.execute(new ListDrafts(user.userId, page));
  }

  @Get(':id')
  @ApiOperation({
    summary: 'A post, with its author, media, counts and whether you liked or shared it',
    description:
      'Your drafts too. 404 `social.post_not_found` when it was deleted, is someone else’s ' +
      'draft, or a block stands between you and its author. Next: its comments at ' +
      '`GET /v1/social/posts/{id}/comments`; like or share it with `PUT …/like`, `PUT …/share`.',
  })
  @ApiOkResponse({ type: PostView })
  @ApiProblems(ERRORS, ['social.post_not_found'])
  getPost(@CurrentUser() user: Principal, @UuidParam('id', 'The post id') id: string) {
    return this.queries.execute(new GetPost(user.userId, id));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete your post (tombstone)',
    description:
      'It disappears from every feed, timeline and count; its comments stay, showing it as ' +
      '`deleted: true`. Deleting a share undoes it. Already deleted: 204 again. 403 ' +
      '`social.not_author` for someone else’s post; 404 for one you cannot see.',
  })
  @ApiNoContentResponse({ description: 'Deleted (or already deleted)' })
  @ApiProblems(ERRORS, ['social.post_not_found', 'social.not_author'])
  deletePost(
    @CurrentUser() user: Principal,
    @UuidParam('id', 'The post id') id: string,
  ): Promise<void> {
    return this.commands.execute(new DeletePost(user.userId, id));
  }

  @Get(':id/comments')
  @ApiOperation({
    summary: 'A post’s comments, oldest first (cursor paged)',
    description:
      'Works for a deleted post too: its comments stay, and `parent` shows it as ' +
      '`deleted: true`. Deleted comments come as ' +
      '`deleted: true` with no text. Reply with `POST /v1/social/posts` and `replyToId`. 404 ' +
      'for a post you cannot see.',
  })
  @ApiOkResponse({ type: CommentPage })
  @ApiProblems(ERRORS, ['social.post_not_found'], { validated: true })
  listComments(
    @CurrentUser() user: Principal,
    @UuidParam('id', 'The post id') id: string,
    @Query() page: PageQuery,
  ): Promise<CommentPage> {
    return this.queries.execute(new ListComments(user.userId, id, page));
  }

  @Post(':id/publish')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Publish your draft',
    description:
      'It becomes a post like any other: it reaches feeds and your timeline, mentions and a ' +
      'comment’s parent author are told now. 404 `social.post_not_found` for a draft that is ' +
      'not yours; 409 `social.not_a_draft` when it is already published; 409 ' +
      '`social.post_deleted` for a deleted draft or a draft comment whose parent was deleted.',
  })
  @ApiOkResponse({ type: PostView })
  @ApiProblems(ERRORS, [
    'social.post_not_found',
    'social.not_a_draft',
    'social.post_deleted',
    'social.post_is_draft',
  ])
  publishPost(
    @CurrentUser() user: Principal,
    @UuidParam('id', 'The draft id') id: string,
  ): Promise<PostView> {
    return this.commands.execute(new PublishPost(user.userId, id));
  }
}
