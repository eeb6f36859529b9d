import { ApiProperty } from '@nestjs/swagger';
import type { NotificationRow } from '../delivery/notification.entity.js';

export class InboxItem {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'commerce.order-confirmed' }) eventType: string;
  @ApiProperty({ enum: ['critical', 'normal', 'low'] }) priority: string;
  @ApiProperty() title: string;
  @ApiProperty() body: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) readAt: string | null;
}

export class InboxPage {
  @ApiProperty({ type: [InboxItem] }) items: InboxItem[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
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
