import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { noProfileYet } from './get-preferences.handler.js';
import {
  mapPreferences,
  type Preferences,
  type UpdatePreferencesRequest,
} from './preferences.dto.js';
import type { RecipientRow } from './recipient.entity.js';

export class UpdatePreferences extends Command<Preferences> {
  constructor(
    readonly userId: string,
    readonly changes: UpdatePreferencesRequest,
  ) {
    super();
  }
}

/**
 * Changes the fields given and keeps the others; a phone or device token can be replaced, not
 * removed. A different phone starts unverified (SET sees the old `phone` on the right-hand side).
 */
@CommandHandler(UpdatePreferences)
export class UpdatePreferencesHandler implements ICommandHandler<UpdatePreferences> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ userId, changes: c }: UpdatePreferences): Promise<Preferences> {
    const [rows] = await this.db.query<[RecipientRow[], number]>(
      `UPDATE notifications.recipients SET email_enabled = COALESCE($2, email_enabled), sms_enabled = COALESCE($3, sms_enabled),
              push_enabled = COALESCE($4, push_enabled), phone = COALESCE($5, phone), push_token = COALESCE($6, push_token), updated_at = now(),
              phone_verified_at = CASE WHEN $5::text IS NULL OR $5::text = phone THEN phone_verified_at END
        WHERE user_id = $1 RETURNING *`,
      [
        userId,
        c.email ?? null,
        c.sms ?? null,
        c.push ?? null,
        c.phone ?? null,
        c.pushToken ?? null,
      ],
    );
    if (!rows[0]) throw noProfileYet();
    return mapPreferences(rows[0]);
  }
}
