import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { NotificationRow } from '../delivery/notification.entity.js';
import { NotificationsError } from '../notifications.error.js';
import { mapInboxItem, type InboxItem } from './inbox.dto.js';

export class MarkRead extends Command<InboxItem> {
  constructor(
    readonly userId: string,
    readonly notificationId: string,
  ) {
    super();
  }
}

/** Marks one of the user's in-app notifications read; a second call keeps the first time. */
@CommandHandler(MarkRead)
export class MarkReadHandler implements ICommandHandler<MarkRead> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ userId, notificationId: id }: MarkRead): Promise<InboxItem> {
    const [rows] = await this.db.query<[NotificationRow[], number]>(
      `UPDATE notifications.notifications SET read_at = COALESCE(read_at, now())
        WHERE id = $1 AND user_id = $2 AND channel = 'in_app' RETURNING *`,
      [id, userId],
    );
    if (!rows[0]) throw new NotificationsError('notifications.not_found', `No notification ${id}.`);
    return mapInboxItem(rows[0]);
  }
}
