import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { NotificationsError } from '../notifications.error.js';
import { mapPreferences, type Preferences } from './preferences.dto.js';
import type { RecipientRow } from './recipient.entity.js';

export class GetPreferences extends Query<Preferences> {
  constructor(readonly userId: string) {
    super();
  }
}

/** The recipient row appears when identity.user-registered has been consumed. */
export const noProfileYet = () =>
  new NotificationsError(
    'notifications.not_found',
    'No notification profile yet; try again in a moment.',
  );

@QueryHandler(GetPreferences)
export class GetPreferencesHandler implements IQueryHandler<GetPreferences> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ userId }: GetPreferences): Promise<Preferences> {
    const [r] = await this.db.query<RecipientRow[]>(
      `SELECT * FROM notifications.recipients WHERE user_id = $1`,
      [userId],
    );
    if (!r) throw noProfileYet();
    return mapPreferences(r);
  }
}
