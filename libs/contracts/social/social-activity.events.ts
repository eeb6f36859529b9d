import { IntegrationEvent } from '../envelope.js';

/**
 * What happened to someone on the social network, for the notifications context. Social
 * publishes one only when the recipient is not the actor and no block stands between them; the
 * actor's handle and name travel with it so notifications reads nothing of social's.
 */
export interface SocialActivityPayload {
  /** Who is told (the post's author, the followed user, the mentioned user). */
  recipientId: string;
  actorId: string;
  actorHandle: string;
  actorDisplayName: string;
  /** The post acted on (absent for a follow). */
  postId?: string;
  /** The first characters of the post or comment, for the notification's text. */
  excerpt?: string;
  /** ISO-8601 UTC. */
  occurredAt: string;
}

/** Someone liked the recipient's post. */
export class PostLiked extends IntegrationEvent<SocialActivityPayload> {
  static override readonly type = 'social.post-liked';
  static override readonly version = 1;
}

/** Someone commented on the recipient's post (`postId` is the post commented on). */
export class PostCommented extends IntegrationEvent<SocialActivityPayload & { commentId: string }> {
  static override readonly type = 'social.post-commented';
  static override readonly version = 1;
}

/** Someone followed the recipient. */
export class UserFollowed extends IntegrationEvent<SocialActivityPayload> {
  static override readonly type = 'social.user-followed';
  static override readonly version = 1;
}

/** Someone shared (reposted) the recipient's post. */
export class PostShared extends IntegrationEvent<SocialActivityPayload> {
  static override readonly type = 'social.post-shared';
  static override readonly version = 1;
}

/** The recipient was @mentioned in a post or comment (`postId`). */
export class UserMentioned extends IntegrationEvent<SocialActivityPayload> {
  static override readonly type = 'social.user-mentioned';
  static override readonly version = 1;
}
