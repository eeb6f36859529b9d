import { settled, type TestApp } from '@app/testing';

/**
 * How many notifications are still to be sent (queued, or claimed by a sender), for
 * `settled(t, { also })`: a row is queued in the consumer's transaction and its BullMQ job
 * added after the commit, so between the two neither the inbox nor the queue shows it.
 */
export function unsentNotifications(t: TestApp): () => Promise<number> {
  return async () =>
    (
      await t.dataSource.query(
        `SELECT count(*)::int AS n FROM notifications.notifications WHERE status IN ('queued', 'sending')`,
      )
    )[0].n as number;
}

/** `settled(t)`, and every notification is sent (or failed for good). */
export const settledWithNotifications = (t: TestApp) =>
  settled(t, { also: { 'notifications.notifications unsent': unsentNotifications(t) } });
