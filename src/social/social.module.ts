import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { ContextRedisModule, StorageModule } from '@app/platform';
import { FanoutProcessor } from './feed/fanout.processor.js';
import { FeedController } from './feed/feed.controller.js';
import { FeedDelete, FeedFanout } from './feed/feed-fanout.consumer.js';
import { FeedBlock, FeedFollow, FeedMute } from './feed/feed-graph.consumer.js';
import { FANOUT_QUEUE, FeedJobs } from './feed/feed-jobs.js';
import { FeedReader } from './feed/feed-reader.js';
import { FeedRebuilder } from './feed/feed-rebuilder.js';
import { FeedStore } from './feed/feed-store.js';
import { FeedTiers } from './feed/feed-tiers.js';
import { GetFeedHandler } from './feed/get-feed.handler.js';
import { BlockProfileHandler } from './graph/block-profile.handler.js';
import { BlocksController } from './graph/blocks.controller.js';
import { FollowProfileHandler } from './graph/follow-profile.handler.js';
import { FollowsController } from './graph/follows.controller.js';
import { ListFollowsHandler } from './graph/list-follows.handler.js';
import { ListRelationsHandler } from './graph/list-relations.handler.js';
import { MuteProfileHandler } from './graph/mute-profile.handler.js';
import { UnblockProfileHandler } from './graph/unblock-profile.handler.js';
import { UnfollowProfileHandler } from './graph/unfollow-profile.handler.js';
import { GetMediaContentHandler } from './media/get-media-content.handler.js';
import { GetMediaHandler } from './media/get-media.handler.js';
import { MediaController } from './media/media.controller.js';
import { UploadMediaHandler } from './media/upload-media.handler.js';
import { FeedResolver } from './graphql/feed.resolver.js';
import { PostResolver } from './graphql/post.resolver.js';
import { ProfileResolver } from './graphql/profile.resolver.js';
import { SocialGraphQLModule } from './graphql/social-graphql.module.js';
import { CreatePostHandler } from './posts/create-post.handler.js';
import { DeletePostHandler } from './posts/delete-post.handler.js';
import { GetPostHandler } from './posts/get-post.handler.js';
import { LikePostHandler } from './posts/like-post.handler.js';
import { ListCommentsHandler } from './posts/list-comments.handler.js';
import { ListDraftsHandler } from './posts/list-drafts.handler.js';
import { PostViews } from './posts/post-views.js';
import { PostsController } from './posts/posts.controller.js';
import { PublishPostHandler } from './posts/publish-post.handler.js';
import { ReactionsController } from './posts/reactions.controller.js';
import { SharePostHandler } from './posts/share-post.handler.js';
import { GetProfileHandler } from './profiles/get-profile.handler.js';
import { ProfileProjection } from './profiles/profile-projection.consumer.js';
import { ProfilesController } from './profiles/profiles.controller.js';
import { TimelineController } from './profiles/timeline.controller.js';
import { GetTimelineHandler } from './profiles/timeline.handler.js';
import { UpdateProfileHandler } from './profiles/update-profile.handler.js';

// Registration order is the order of the paths in the OpenAPI document.
const controllers = [
  ProfilesController,
  FollowsController,
  BlocksController,
  TimelineController,
  PostsController,
  ReactionsController,
  FeedController,
  MediaController,
];
const commandHandlers = [
  UpdateProfileHandler,
  FollowProfileHandler,
  UnfollowProfileHandler,
  BlockProfileHandler,
  UnblockProfileHandler,
  MuteProfileHandler,
  CreatePostHandler,
  DeletePostHandler,
  PublishPostHandler,
  LikePostHandler,
  SharePostHandler,
  UploadMediaHandler,
];
const queryHandlers = [
  GetProfileHandler,
  ListFollowsHandler,
  ListRelationsHandler,
  GetTimelineHandler,
  GetPostHandler,
  ListCommentsHandler,
  ListDraftsHandler,
  GetFeedHandler,
  GetMediaHandler,
  GetMediaContentHandler,
];
const consumers = [ProfileProjection, FeedFanout, FeedDelete, FeedFollow, FeedBlock, FeedMute];
const services = [
  PostViews,
  FeedStore,
  FeedRebuilder,
  FeedJobs,
  FeedTiers,
  FeedReader,
  FanoutProcessor,
];
const resolvers = [FeedResolver, PostResolver, ProfileResolver];

/** Profiles, the follow graph, posts, media and the hybrid fan-out feed. Schema `social`. */
@Module({
  imports: [
    ContextRedisModule.forContext('social'),
    BullModule.registerQueue({ name: FANOUT_QUEUE }),
    SocialGraphQLModule,
    StorageModule,
  ],
  controllers,
  providers: [...commandHandlers, ...queryHandlers, ...consumers, ...services, ...resolvers],
})
export class SocialModule {}
