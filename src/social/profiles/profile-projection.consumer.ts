import { Injectable } from '@nestjs/common';
import { UserRegistered } from '@app/contracts/identity';
import { Consumes, type IntegrationEventConsumer, type Tx } from '@app/platform';
import { randomInt } from 'node:crypto';

/** `ada.lovelace+x@example.com` → `ada_lovelace_x` (letters, digits and `_`, at most 24). */
export function handleFromEmail(email: string): string {
  const local = email.split('@')[0] ?? '';
  const base = local
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 24);
  // `me` names your own profile in the API (`/profiles/me`): nobody can have it.
  return !base ? 'user' : base.toLowerCase() === 'me' ? 'me_' : base;
}

/**
 * identity.user-registered → the user's profile (social never reads identity's tables). The
 * handle starts as the email's local part; when that is taken, a number is added
 * (`ada` → `ada_4821`). The user can change it with `PATCH /v1/social/profiles/me`.
 */
@Injectable()
@Consumes(UserRegistered, 'social.profiles')
export class ProfileProjection implements IntegrationEventConsumer<UserRegistered> {
  async consume(event: UserRegistered, tx: Tx): Promise<void> {
    const u = event.payload;
    const base = handleFromEmail(u.email);
    for (let attempt = 0; attempt < 20; attempt++) {
      // Suffixed handles stay within the 30 characters a handle may have.
      const digits = Math.min(4 + attempt, 8);
      const handle =
        attempt === 0
          ? base
          : `${base.slice(0, 29 - digits)}_${randomInt(10 ** (digits - 1), 10 ** digits)}`;
      // No conflict target: a taken handle and a profile already projected both do nothing.
      await tx.manager.query(
        `INSERT INTO social.profiles (user_id, handle, handle_lower, display_name, created_at)
         VALUES ($1, $2, lower($2), $3, $4) ON CONFLICT DO NOTHING`,
        [u.userId, handle, u.displayName, u.registeredAt],
      );
      const [row] = await tx.manager.query<unknown[]>(
        `SELECT 1 FROM social.profiles WHERE user_id = $1`,
        [u.userId],
      );
      if (row) return;
    }
    throw new Error(`no free handle for ${u.userId} after 20 attempts`);
  }
}
