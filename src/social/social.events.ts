import { InternalEvent } from '@app/platform';

/**
 * Social's own asynchronous steps (internal events: outbox + inbox guarantees, never on a
 * broker). The feed consumes them; the graph and posts publish them in the transaction that
 * changed the rows.
 */

/** A post was published (a top-level post, a comment or a share). */
export class PostCreated extends InternalEvent<{
  postId: string;
  authorId: string;
  replyToId: string | null;
  shareOfId: string | null;
  /** ISO-8601 UTC. */
  createdAt: string;
}> {
  static override readonly type = 'social.post-created';
  static override readonly version = 1;
}

/** A post was deleted (tombstoned): it leaves every feed. */
export class PostDeleted extends InternalEvent<{ postId: string; authorId: string }> {
  static override readonly type = 'social.post-deleted';
  static override readonly version = 1;
}

/** A follow began or ended; `followersCount` is the followee's count after the change. */
export class FollowChanged extends InternalEvent<{
  followerId: string;
  followeeId: string;
  following: boolean;
  followersCount: number;
}> {
  static override readonly type = 'social.follow-changed';
  static override readonly version = 1;
}

/** A block began or ended (a block also ended both follows, each with its FollowChanged). */
export class BlockChanged extends InternalEvent<{
  blockerId: string;
  blockedId: string;
  blocked: boolean;
}> {
  static override readonly type = 'social.block-changed';
  static override readonly version = 1;
}

/** A mute began or ended. */
export class MuteChanged extends InternalEvent<{
  muterId: string;
  mutedId: string;
  muted: boolean;
}> {
  static override readonly type = 'social.mute-changed';
  static override readonly version = 1;
}
