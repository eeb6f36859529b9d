import { Args, Context, Info, Int, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Kind, type GraphQLResolveInfo } from 'graphql';
import { SkipThrottle } from '@nestjs/throttler';
import type { PostAuthor, PostView } from '../posts/post-view.dto.js';
import type { ProfileView } from '../profiles/profiles.dto.js';
import { PageArgs, PostIdArgs } from './graphql.args.js';
import type { SocialGraphQLContext } from './graphql-requests.js';
import { connection, GqlPost, GqlProfile, PostConnection } from './graphql.types.js';

/** The author fields a hydrated post already holds (`PostView.author`). */
const SUMMARY: ReadonlySet<string> = new Set([
  'userId',
  'handle',
  'displayName',
  'avatarUrl',
  '__typename',
]);

/** The field asks for nothing but `fields` (fragments: not looked into, so not "only"). */
function asksOnly(info: GraphQLResolveInfo, fields: ReadonlySet<string>): boolean {
  return info.fieldNodes.every((node) =>
    (node.selectionSet?.selections ?? []).every(
      (s) => s.kind === Kind.FIELD && fields.has(s.name.value),
    ),
  );
}

/**
 * `post(id)` and the fields of every Post, wherever it appears (feed, timeline, comments). Each
 * field reads through the request's loaders, so a page of posts costs one query per field kind.
 * Rate limits are taken per HTTP request by `GraphQLRequests`, not per field.
 */
@SkipThrottle()
@Resolver(() => GqlPost)
export class PostResolver {
  @Query(() => GqlPost, {
    nullable: true,
    description:
      'A post by id; null when you cannot see it (deleted, someone else’s draft, blocks involve you)',
  })
  post(@Args() { id }: PostIdArgs, @Context() ctx: SocialGraphQLContext): Promise<PostView | null> {
    return ctx.loaders.posts.load(id);
  }

  @ResolveField(() => GqlProfile, { description: 'The author’s profile, with its counts' })
  author(
    @Parent() post: PostView,
    @Context() ctx: SocialGraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ): PostAuthor | Promise<ProfileView | null> {
    // The hydrated post carries the author's summary; the profile is read only for the rest.
    if (asksOnly(info, SUMMARY)) return post.author;
    return ctx.loaders.profiles.load(post.author.userId);
  }

  @ResolveField(() => Int, { description: 'Likes (the same as counts.likes)' })
  likes(@Parent() post: PostView): number {
    return post.counts.likes;
  }

  @ResolveField(() => PostConnection, {
    description: 'Comments, oldest first; deleted ones stay as tombstones (deleted: true)',
  })
  comments(
    @Parent() post: PostView,
    @Args() page: PageArgs,
    @Context() ctx: SocialGraphQLContext,
  ): Promise<PostConnection> {
    return ctx.loaders.comments(post.id, page).then(connection);
  }
}
