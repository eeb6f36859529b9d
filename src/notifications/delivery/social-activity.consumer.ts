import { Injectable } from '@nestjs/common';
import {
  PostCommented,
  PostLiked,
  PostShared,
  UserFollowed,
  UserMentioned,
  type SocialActivityPayload,
} from '@app/contracts/social';
import type { IntegrationEvent, IntegrationEventClass } from '@app/contracts';
import { Consumes, type IntegrationEventConsumer, type Tx } from '@app/platform';
import { GROUP_PHRASES } from '../inbox/grouping.js';
import type { Priority } from './notification.entity.js';
import { NotificationRouter, routed } from './router.js';

type SocialEvent = IntegrationEvent<SocialActivityPayload>;

interface SocialMessage {
  priority: Priority;
  /** What the actor did ("liked your post"). */
  phrase: string;
  body: string;
  /** The inbox burst it joins; absent for mentions (each shown on its own). */
  groupKey?: string;
}

/**
 * Social activity → the recipient, through the priority router (which honours preferences and
 * keeps each (event, recipient, channel) once). Social already leaves out your own actions and
 * blocked users; your own action is checked again here.
 */
@Injectable()
export class SocialNotifier {
  constructor(private readonly router: NotificationRouter) {}

  async notify(event: SocialEvent, tx: Tx, message: SocialMessage): Promise<void> {
    const p = event.payload;
    if (p.recipientId === p.actorId) return;
    const actorName = p.actorDisplayName || `@${p.actorHandle}`;
    await this.router.route(
      tx,
      routed(event, p.recipientId, {
        priority: message.priority,
        title: `${actorName} ${message.phrase}`,
        body: message.body,
        groupKey: message.groupKey,
        actorId: p.actorId,
        actorName,
      }),
      event.metadata!.correlationId,
    );
  }
}

const excerpt = (event: SocialEvent) => event.payload.excerpt ?? '';
/** Likes, shares and comments of one post group together. */
const postGroup = (event: SocialEvent) => `${event.type}:${event.payload.postId ?? ''}`;

/**
 * A consumer of one social event: `message` says how it is told. The classes differ only in
 * their event and message, so one factory makes them (each its own class and consumer name).
 */
function socialConsumer(
  Event: IntegrationEventClass,
  message: (event: SocialEvent) => SocialMessage,
) {
  @Injectable()
  @Consumes(Event, `notifications.${Event.type.replace('.', '-')}`)
  class SocialActivityConsumer implements IntegrationEventConsumer<SocialEvent> {
    constructor(readonly notifier: SocialNotifier) {}
    consume(event: SocialEvent, tx: Tx): Promise<void> {
      return this.notifier.notify(event, tx, message(event));
    }
  }
  Object.defineProperty(SocialActivityConsumer, 'name', { value: `Notify${Event.name}` });
  return SocialActivityConsumer;
}

/** social.post-liked → low (in-app), grouped per post. */
export const NotifyPostLiked = socialConsumer(PostLiked, (e) => ({
  priority: 'low',
  phrase: GROUP_PHRASES[PostLiked.type]!,
  body: excerpt(e),
  groupKey: postGroup(e),
}));

/** social.post-shared → low (in-app), grouped per post. */
export const NotifyPostShared = socialConsumer(PostShared, (e) => ({
  priority: 'low',
  phrase: GROUP_PHRASES[PostShared.type]!,
  body: excerpt(e),
  groupKey: postGroup(e),
}));

/** social.post-commented → normal (push + in-app), grouped per post commented on. */
export const NotifyPostCommented = socialConsumer(PostCommented, (e) => ({
  priority: 'normal',
  phrase: GROUP_PHRASES[PostCommented.type]!,
  body: excerpt(e),
  groupKey: postGroup(e),
}));

/** social.user-followed → normal (push + in-app), grouped per followed user. */
export const NotifyUserFollowed = socialConsumer(UserFollowed, (e) => ({
  priority: 'normal',
  phrase: GROUP_PHRASES[UserFollowed.type]!,
  body: `@${e.payload.actorHandle}`,
  groupKey: `${UserFollowed.type}:${e.payload.recipientId}`,
}));

/** social.user-mentioned → high (push + in-app, email when push is off), never grouped. */
export const NotifyUserMentioned = socialConsumer(UserMentioned, (e) => ({
  priority: 'high',
  phrase: 'mentioned you',
  body: excerpt(e),
}));

export const socialConsumers = [
  NotifyPostLiked,
  NotifyPostShared,
  NotifyPostCommented,
  NotifyUserFollowed,
  NotifyUserMentioned,
];
