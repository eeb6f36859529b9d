import { ApiProperty } from '@nestjs/swagger';
import { ContextSchema } from '@app/platform';
import type { NotificationRow } from '../delivery/notification.entity.js';
import { GROUP_PHRASES, groupTitle } from './grouping.js';

@ContextSchema('notifications')
export class InboxItem {
  @ApiProperty({ format: 'uuid', example: '0194f3a2-7c1e-7b40-9a8e-3f1c2d4b5a69' }) id: string;
  @ApiProperty({
    example: 'commerce.order-confirmed',
    description: 'The integration event this notification is about',
  })
  eventType: string;
  @ApiProperty({
    enum: ['critical', 'high', 'normal', 'low'],
    description:
      'critical ones also go to every channel the user can be reached on; high ones (mentions) ' +
      'to push, or to email when push is off; normal ones to push; low ones only here',
  })
  priority: string;
  @ApiProperty({ example: 'Order 0194f3a2-7c1e-7b40-9a8e-3f1c2d4b5a69 confirmed' }) title: string;
  @ApiProperty() body: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'When it was first marked read; null while unread',
  })
  readAt: string | null;
  @ApiProperty({
    example: 13,
    minimum: 1,
    description:
      'How many notifications this item stands for: more than 1 when a burst of unread social ' +
      'activity of the last 24 h (likes or shares of one post, comments on it, new followers) ' +
      'is collapsed into its newest one; marking it read marks them all',
  })
  count: number;
  @ApiProperty({
    type: [String],
    example: ['Ann Lee', 'Bob Ray'],
    description: 'Who caused it, newest first (at most 3 names); empty when no person did',
  })
  actors: string[];
}

@ContextSchema('notifications')
export class InboxPage {
  @ApiProperty({ type: [InboxItem], description: 'Newest first' }) items: InboxItem[];
  @ApiProperty({
    type: String,
    nullable: true,
    pattern: '^[A-Za-z0-9_-]+$',
    description: 'Pass as `cursor` for the next page; null on the last page',
  })
  nextCursor: string | null;
}

/** A row of the inbox query: a notification, with its burst's figures when it heads one. */
export type InboxRow = NotificationRow & {
  group_count?: number | null;
  group_actor_count?: number | null;
  group_actors?: string[] | null;
};

/** An in-app notification row (or the newest of a collapsed burst) as the inbox shows it. */
export function mapInboxItem(r: InboxRow): InboxItem {
  const count = r.group_count ?? 1;
  const named = r.group_actors ?? (r.actor_name ? [r.actor_name] : []);
  const actors = [...new Set(named)].slice(0, 3);
  const phrase = GROUP_PHRASES[r.event_type];
  return {
    id: r.id,
    eventType: r.event_type,
    priority: r.priority,
    title: count > 1 && phrase ? groupTitle(phrase, actors, r.group_actor_count ?? count) : r.title,
    body: r.body,
    createdAt: new Date(r.created_at).toISOString(),
    readAt: r.read_at ? new Date(r.read_at).toISOString() : null,
    count,
    actors,
  };
}
