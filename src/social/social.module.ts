import { Module } from '@nestjs/common';
import { ContextRedisModule } from '@app/platform';
import { PostViews } from './posts/post-views.js';
import { GetProfileHandler } from './profiles/get-profile.handler.js';
import { ProfileProjection } from './profiles/profile-projection.consumer.js';
import { ProfilesController } from './profiles/profiles.controller.js';
import { UpdateProfileHandler } from './profiles/update-profile.handler.js';

// Registration order is the order of the paths in the OpenAPI document.
const controllers = [ProfilesController];
const commandHandlers = [UpdateProfileHandler];
const queryHandlers = [GetProfileHandler];
const consumers = [ProfileProjection];
const services = [PostViews];

/** Profiles, the follow graph, posts, media and the hybrid fan-out feed. Schema `social`. */
@Module({
  imports: [ContextRedisModule.forContext('social')],
  controllers,
  providers: [...commandHandlers, ...queryHandlers, ...consumers, ...services],
})
export class SocialModule {}
