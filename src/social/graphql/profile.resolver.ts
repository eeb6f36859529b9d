import { Args, Context, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { SkipThrottle } from '@nestjs/throttler';
import type { ProfileView } from '../profiles/profiles.dto.js';
import { HandleArgs, PageArgs } from './graphql.args.js';
import type { SocialGraphQLContext } from './graphql-requests.js';
import { connection, GqlProfile, PostConnection, ProfileConnection } from './graphql.types.js';

/** `profile(handle)` and the list fields of every Profile (its timeline, its followers). */
@SkipThrottle()
@Resolver(() => GqlProfile)
export class ProfileResolver {
  @Query(() => GqlProfile, {
    nullable: true,
    description:
      'A profile by handle (any case); null when there is none or its owner blocks you (as REST’s 404)',
  })
  profile(
    @Args() { handle }: HandleArgs,
    @Context() ctx: SocialGraphQLContext,
  ): Promise<ProfileView | null> {
    return ctx.loaders.profilesByHandle.load(handle);
  }

  @ResolveField(() => PostConnection, {
    description: 'Their timeline: published posts and shares, not comments, newest first',
  })
  posts(
    @Parent() profile: ProfileView,
    @Args() page: PageArgs,
    @Context() ctx: SocialGraphQLContext,
  ): Promise<PostConnection> {
    return ctx.loaders.timeline(profile.userId, page).then(connection);
  }

  @ResolveField(() => ProfileConnection, {
    description: 'Who follows them, newest follow first (without profiles that block you)',
  })
  followers(
    @Parent() profile: ProfileView,
    @Args() page: PageArgs,
    @Context() ctx: SocialGraphQLContext,
  ): Promise<ProfileConnection> {
    return ctx.loaders.followers(profile.userId, page).then(connection);
  }
}
