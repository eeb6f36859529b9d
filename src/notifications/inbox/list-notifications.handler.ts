import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { decodeCursor, toPage, type PageQuery } from '@app/platform';
import { DataSource } from 'typeorm';
import type { NotificationRow } from '../delivery/notification.entity.js';
import { mapInboxItem, type InboxPage } from './inbox.dto.js';

export class ListNotifications extends Query<InboxPage> {
  constructor(
    readonly userId: string,
    readonly page: PageQuery,
  ) {
    super();
  }
}

/** The user's in-app notifications, newest first (ids are UUIDv7), keyset-paginated by id. */
@QueryHandler(ListNotifications)
export class ListNotificationsHandler implements IQueryHandler<ListNotifications> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ userId, page }: ListNotifications): Promise<InboxPage> {
    const after = decodeCursor<{ id: string }>(page.cursor, { id: 'uuid' });
    const rows = await this.db.query<NotificationRow[]>(
      `SELECT * FROM notifications.notifications WHERE user_id = $1 AND channel = 'in_app' AND ($2::uuid IS NULL OR id < $2::uuid)
        ORDER BY id DESC LIMIT $3`,
      [userId, after?.id ?? null, page.limit + 1],
    );
    return toPage(rows, page.limit, mapInboxItem, (r) => ({ id: r.id }));
  }
}
