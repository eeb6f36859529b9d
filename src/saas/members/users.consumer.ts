import { Injectable } from '@nestjs/common';
import { UserRegistered } from '@app/contracts/identity';
import { Consumes, type IntegrationEventConsumer, type Tx } from '@app/platform';

/** identity.user-registered → saas.users: who has which email (invitations go to emails). */
@Injectable()
@Consumes(UserRegistered, 'saas.users')
export class SaasUsersProjection implements IntegrationEventConsumer<UserRegistered> {
  async consume(event: UserRegistered, tx: Tx): Promise<void> {
    const u = event.payload;
    await tx.manager.query(
      `INSERT INTO saas.users (user_id, email, display_name) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) DO UPDATE SET email = EXCLUDED.email, display_name = EXCLUDED.display_name`,
      [u.userId, u.email, u.displayName],
    );
    // Memberships made before the projection caught up (the tenant's owner) get the email.
    await tx.manager.query(
      `UPDATE saas.members SET email = $2 WHERE user_id = $1 AND email IS NULL`,
      [u.userId, u.email],
    );
  }
}
