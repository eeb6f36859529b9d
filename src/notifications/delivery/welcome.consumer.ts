import { Injectable } from '@nestjs/common';
import { UserRegistered } from '@app/contracts/identity';
import { Consumes, type IntegrationEventConsumer, type Tx } from '@app/platform';
import { NotificationRouter, routed } from './router.js';

/**
 * identity.user-registered → who they are (the projection; the email starts unverified), then a
 * welcome (normal priority).
 */
@Injectable()
@Consumes(UserRegistered, 'notifications.welcome')
export class Welcome implements IntegrationEventConsumer<UserRegistered> {
  constructor(private readonly router: NotificationRouter) {}

  async consume(event: UserRegistered, tx: Tx): Promise<void> {
    const u = event.payload;
    await tx.manager.query(
      `INSERT INTO notifications.recipients (user_id, email, display_name) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) DO UPDATE SET email = EXCLUDED.email, display_name = EXCLUDED.display_name, updated_at = now(),
         email_verified_at = CASE WHEN recipients.email = EXCLUDED.email THEN recipients.email_verified_at END`,
      [u.userId, u.email, u.displayName],
    );
    await this.router.route(
      tx,
      routed(event, u.userId, {
        priority: 'normal',
        title: `Welcome, ${u.displayName}`,
        body: 'Your account is ready.',
      }),
      event.metadata!.correlationId,
    );
  }
}
