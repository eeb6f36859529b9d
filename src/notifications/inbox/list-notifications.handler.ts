import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { decodeCursor, toPage, type PageQuery } from '@app/platform';
import { DataSource } from 'typeorm';
import { GROUP_WINDOW_HOURS } from './grouping.js';
import { mapInboxItem, type InboxPage, type InboxRow } from './inbox.dto.js';

export class ListNotifications extends Query<InboxPage> {
  constructor(
    readonly userId: string,
    readonly page: PageQuery,
  ) {
    super();
  }
}

/**
 * The user's in-app notifications, newest first (ids are UUIDv7), keyset-paginated by id. The
 * unread members of a burst (same group key, last GROUP_WINDOW_HOURS) show as their newest one,
 * with the group's count and latest actors; the others are left out of every page.
 */
@QueryHandler(ListNotifications)
export class ListNotificationsHandler implements IQueryHandler<ListNotifications> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ userId, page }: ListNotifications): Promise<InboxPage> {
    const after = decodeCursor<{ id: string }>(page.cursor, { id: 'uuid' });
    const rows = await this.db.query<InboxRow[]>(
      `WITH bursts AS (
         SELECT group_key, (array_agg(id ORDER BY id DESC))[1] AS head, count(*)::int AS group_count,
                count(DISTINCT actor_id)::int AS group_actor_count,
                (array_agg(actor_name ORDER BY id DESC) FILTER (WHERE actor_name IS NOT NULL))[1:10] AS group_actors
           FROM notifications.notifications
          WHERE user_id = $1 AND channel = 'in_app' AND group_key IS NOT NULL AND read_at IS NULL
            AND created_at > now() - make_interval(hours => $4)
          GROUP BY group_key
       )
       SELECT n.*, b.group_count, b.group_actor_count, b.group_actors
         FROM notifications.notifications n
         LEFT JOIN bursts b ON b.group_key = n.group_key AND n.read_at IS NULL
                           AND n.created_at > now() - make_interval(hours => $4)
        WHERE n.user_id = $1 AND n.channel = 'in_app' AND ($2::uuid IS NULL OR n.id < $2::uuid)
          AND (b.head IS NULL OR b.head = n.id)
        ORDER BY n.id DESC LIMIT $3`,
      [userId, after?.id ?? null, page.limit + 1, GROUP_WINDOW_HOURS],
    );
    return toPage(rows, page.limit, mapInboxItem, (r) => ({ id: r.id }));
  }
}
