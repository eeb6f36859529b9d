import { defineContext } from '@app/platform';
import { Block, Follow, Mute } from './graph/relations.entity.js';
import { Media } from './media/media.entity.js';
import { SocialSchema1796300000000 } from './migrations/1796300000000-SocialSchema.js';
import { Like, Post } from './posts/post.entity.js';
import { Profile } from './profiles/profile.entity.js';
import { SocialConfig } from './social.config.js';
import { SOCIAL_ERRORS } from './social.error.js';
import { SocialModule } from './social.module.js';

/** Profiles, follows, posts, media and the hybrid fan-out feed. Schema `social`, Redis `social:`. */
export const socialContext = defineContext({
  name: 'social',
  description: 'Profiles, follows, posts, media, the fan-out feed and real time',
  config: SocialConfig,
  entities: [Profile, Follow, Block, Mute, Post, Like, Media],
  migrations: [SocialSchema1796300000000],
  errors: SOCIAL_ERRORS,
  module: SocialModule,
});
