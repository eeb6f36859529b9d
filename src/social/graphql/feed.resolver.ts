import { Args, Context, Query, Resolver } from '@nestjs/graphql';
import { SkipThrottle } from '@nestjs/throttler';
import { FeedReader } from '../feed/feed-reader.js';
import { PageArgs } from './graphql.args.js';
import type { SocialGraphQLContext } from './graphql-requests.js';
import { connection, PostConnection } from './graphql.types.js';

/** `feed(first, after)`: the same hybrid fan-out feed as `GET /v1/social/feed`. */
@SkipThrottle()
@Resolver()
export class FeedResolver {
  constructor(private readonly feed: FeedReader) {}

  @Query(() => PostConnection, {
    name: 'feed',
    description:
      'Your home feed, newest first: posts and shares of you and those you follow, without muted ' +
      'or blocked authors (the same items and cursors as GET /v1/social/feed)',
  })
  async feedPage(
    @Args() { first, after }: PageArgs,
    @Context() ctx: SocialGraphQLContext,
  ): Promise<PostConnection> {
    const page = await this.feed.read(ctx.loaders.viewerId, first, after ?? undefined);
    for (const item of page.items) ctx.loaders.posts.prime(item.id, item);
    return connection(page);
  }
}
