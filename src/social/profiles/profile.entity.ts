import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A social profile: the context's own projection of an identity user (built from
 * `identity.user-registered`; social never reads identity's tables) plus what social adds.
 * `handle_lower` holds the case-insensitive unique key; counts are kept in the same transaction
 * as the rows they count.
 */
@Entity({ schema: 'social', name: 'profiles' })
@Index('profiles_handle_key', ['handleLower'], { unique: true })
export class Profile {
  @PrimaryColumn('uuid', { name: 'user_id' }) userId: string;
  @Column('text') handle: string;
  @Column('text', { name: 'handle_lower' }) handleLower: string;
  @Column('text', { name: 'display_name' }) displayName: string;
  @Column('text', { default: '' }) bio: string;
  @Column('uuid', { name: 'avatar_media_id', nullable: true }) avatarMediaId: string | null;
  @Column('int', { name: 'followers_count', default: 0 }) followersCount: number;
  @Column('int', { name: 'following_count', default: 0 }) followingCount: number;
  @Column('int', { name: 'posts_count', default: 0 }) postsCount: number;
  /** Fan-out tier: a celebrity's posts are merged in at read time instead of pushed. */
  @Column('boolean', { default: false }) celebrity: boolean;
  /** The last feed read: fan-out skips readers inactive for SOCIAL_ACTIVE_DAYS. */
  @Column('timestamptz', { name: 'last_feed_read_at', nullable: true }) lastFeedReadAt: Date | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
}

/** A `social.profiles` row as raw SQL returns it. */
export interface ProfileRow {
  user_id: string;
  handle: string;
  handle_lower: string;
  display_name: string;
  bio: string;
  avatar_media_id: string | null;
  followers_count: number;
  following_count: number;
  posts_count: number;
  celebrity: boolean;
  last_feed_read_at: Date | null;
  created_at: Date;
  updated_at: Date;
}
