import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { NotificationRow } from '../delivery/notification.entity.js';
import { NotificationsError } from '../notifications.error.js';
import { GROUP_WINDOW_HOURS } from './grouping.js';
import { mapInboxItem, type InboxItem } from './inbox.dto.js';

export class MarkRead extends Command<InboxItem> {
  constructor(
    readonly userId: string,
    readonly notificationId: string,
  ) {
    super();
  }
}

/**
 * Marks one of the user's in-app notifications read; a second call keeps the first time. One of
 * an unread burst (inbox/grouping.ts) marks the whole burst read with it.
 */
@CommandHandler(MarkRead)
export class MarkReadHandler implements ICommandHandler<MarkRead> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ userId, notificationId: id }: MarkRead): Promise<InboxItem> {
    // An unread member of a burst first takes the rest of its burst with it.
    await this.db.query(
      `WITH burst AS (
         SELECT group_key FROM notifications.notifications
          WHERE id = $1 AND user_id = $2 AND channel = 'in_app' AND read_at IS NULL
            AND group_key IS NOT NULL AND created_at > now() - make_interval(hours => $3))
       UPDATE notifications.notifications n SET read_at = now() FROM burst
        WHERE n.user_id = $2 AND n.channel = 'in_app' AND n.group_key = burst.group_key
          AND n.read_at IS NULL AND n.created_at > now() - make_interval(hours => $3)`,
      [id, userId, GROUP_WINDOW_HOURS],
    );
    const [rows] = await this.db.query<[NotificationRow[], number]>(
      `UPDATE notifications.notifications SET read_at = COALESCE(read_at, now())
        WHERE id = $1 AND user_id = $2 AND channel = 'in_app' RETURNING *`,
      [id, userId],
    );
    const row = rows[0];
    if (!row) throw new NotificationsError('notifications.not_found', `No notification ${id}.`);
    return mapInboxItem(row);
  }
}
