import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import type { Page } from '@app/platform';

/**
 * The GraphQL object types of the social read model (code first: the schema is generated in
 * memory at boot). Field names follow the REST views (`ProfileView`, `PostView`), so a client
 * can move between the two without a dictionary.
 */

@ObjectType({ description: 'How you and a profile are related' })
export class GqlRelationship {
  @Field({ description: 'You follow them' }) following: boolean;
  @Field({ description: 'They follow you' }) followedBy: boolean;
  @Field({ description: 'You block them' }) blocking: boolean;
  @Field({ description: 'You mute them' }) muting: boolean;
}

@ObjectType('Profile', { description: 'A social profile with its counts' })
export class GqlProfile {
  @Field(() => ID) userId: string;
  @Field({ description: 'Unique regardless of case' }) handle: string;
  @Field() displayName: string;
  @Field() bio: string;
  @Field(() => String, { nullable: true, description: 'The avatar thumbnail; null without one' })
  avatarUrl: string | null;
  @Field(() => Int) followersCount: number;
  @Field(() => Int) followingCount: number;
  @Field(() => Int, { description: 'Published posts, comments and shares not deleted' })
  postsCount: number;
  @Field({ description: 'ISO 8601' }) createdAt: string;
  @Field(() => GqlRelationship, {
    nullable: true,
    description: 'How you are related (null on your own profile)',
  })
  relationship?: GqlRelationship;
}

@ObjectType('PostMedia', { description: 'An attachment of a post' })
export class GqlPostMedia {
  @Field(() => ID) id: string;
  @Field({ description: 'image or video' }) kind: string;
  @Field({ description: 'Detected from the bytes' }) contentType: string;
  @Field(() => Int, { nullable: true }) width: number | null;
  @Field(() => Int, { nullable: true }) height: number | null;
  @Field() url: string;
  @Field(() => String, { nullable: true, description: 'Images only' })
  thumbnailUrl: string | null;
}

@ObjectType('PostCounts')
export class GqlPostCounts {
  @Field(() => Int) likes: number;
  @Field(() => Int, { description: 'Comments not deleted' }) comments: number;
  @Field(() => Int) shares: number;
}

@ObjectType('Post', { description: 'A post, a comment (replyToId) or a share (sharedPost)' })
export class GqlPost {
  @Field(() => ID, { description: 'UUID v7: time-ordered' }) id: string;
  @Field({ description: 'Empty for a share and for a deleted post' }) text: string;
  @Field(() => [GqlPostMedia]) media: GqlPostMedia[];
  @Field(() => ID, { nullable: true, description: 'The post this comments on' })
  replyToId: string | null;
  @Field(() => GqlPost, {
    nullable: true,
    description: 'For a share: the post shared (null if you cannot see it)',
  })
  sharedPost?: GqlPost | null;
  @Field(() => GqlPostCounts) counts: GqlPostCounts;
  @Field({ description: 'You like it' }) likedByMe: boolean;
  @Field({ description: 'You shared it' }) sharedByMe: boolean;
  @Field({ description: 'Only its author sees a draft' }) draft: boolean;
  @Field({ description: 'Deleted: no text or media (a comment’s parent, a thread’s item)' })
  deleted: boolean;
  @Field({ description: 'When it was published (created, for a draft), ISO 8601' })
  createdAt: string;
}

@ObjectType()
export class PageInfo {
  @Field(() => String, {
    nullable: true,
    description: 'Pass as `after` for the next page; null on the last page',
  })
  endCursor: string | null;
  @Field() hasNextPage: boolean;
}

@ObjectType()
export class PostEdge {
  @Field(() => GqlPost) node: GqlPost;
}

@ObjectType({
  description: 'A page of posts (`nodes`, or `edges { node }`), newest or oldest first',
})
export class PostConnection {
  @Field(() => [PostEdge]) edges: PostEdge[];
  @Field(() => [GqlPost]) nodes: GqlPost[];
  @Field(() => PageInfo) pageInfo: PageInfo;
}

@ObjectType()
export class ProfileEdge {
  @Field(() => GqlProfile) node: GqlProfile;
}

@ObjectType({ description: 'A page of profiles, newest follow first' })
export class ProfileConnection {
  @Field(() => [ProfileEdge]) edges: ProfileEdge[];
  @Field(() => [GqlProfile]) nodes: GqlProfile[];
  @Field(() => PageInfo) pageInfo: PageInfo;
}

/** A connection from a page of items and its next cursor. */
export function connection<T>({ items, nextCursor }: Page<T>) {
  return {
    edges: items.map((node) => ({ node })),
    nodes: items,
    pageInfo: { endCursor: nextCursor, hasNextPage: nextCursor !== null },
  };
}
