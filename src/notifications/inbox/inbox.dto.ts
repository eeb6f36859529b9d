import { ApiProperty } from '@nestjs/swagger';
import { ContextSchema } from '@app/platform';
import type { NotificationRow } from '../delivery/notification.entity.js';

@ContextSchema('notifications')
export class InboxItem {
  @ApiProperty({ format: 'uuid', example: '0194f3a2-7c1e-7b40-9a8e-3f1c2d4b5a69' }) id: string;
  @ApiProperty({
    example: 'commerce.order-confirmed',
    description: 'The integration event this notification is about',
  })
  eventType: string;
  @ApiProperty({
    enum: ['critical', 'normal', 'low'],
    description: 'critical ones also go to every channel the user can be reached on',
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

/** An in-app notification row as the inbox shows it. */
export function mapInboxItem(r: NotificationRow): InboxItem {
  return {
    id: r.id,
    eventType: r.event_type,
    priority: r.priority,
    title: r.title,
    body: r.body,
    createdAt: new Date(r.created_at).toISOString(),
    readAt: r.read_at ? new Date(r.read_at).toISOString() : null,
  };
}
