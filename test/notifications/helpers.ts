import { eventually, settled, type TestApp, type TestUser } from '@app/testing';

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

/** Until identity.user-registered is consumed, the user has no notification profile. */
export async function notificationProfile(t: TestApp, user: TestUser): Promise<void> {
  await eventually(async () =>
    expect(
      (await t.get('/v1/notifications/preferences', { token: user.accessToken })).statusCode,
    ).toBe(200),
  );
}

/**
 * Verifies the user's email (`channel: 'email'`) or phone (`'sms'`) the way a user does: requests
 * a code, reads it with `readCode` (from the SMTP server or the sandbox SMS), confirms it.
 */
export async function verifyContact(
  t: TestApp,
  user: TestUser,
  channel: 'email' | 'sms',
  readCode: () => string | undefined,
): Promise<void> {
  await notificationProfile(t, user);
  const sent = await t.post(
    `/v1/notifications/contacts/${channel}/verification`,
    {},
    { token: user.accessToken },
  );
  expect(sent.statusCode, sent.body).toBe(202);
  const code = await eventually(async () => {
    const c = readCode();
    expect(c).toMatch(/^\d{6}$/);
    return c!;
  });
  const confirmed = await t.post(
    `/v1/notifications/contacts/${channel}/verification/confirm`,
    { code },
    { token: user.accessToken },
  );
  expect(confirmed.statusCode, confirmed.body).toBe(200);
}

/** The verification code in a message's text (an SMS body or a raw email). */
export const codeIn = (text: string | undefined) =>
  text ? /verification code is (\d{6})/.exec(text)?.[1] : undefined;

/**
 * For tests about something else that need email/SMS deliveries: marks the user's current
 * email (and phone, if any) verified directly, as confirming a code would.
 */
export async function markContactsVerified(t: TestApp, user: TestUser): Promise<void> {
  await notificationProfile(t, user);
  await t.dataSource.query(
    `UPDATE notifications.recipients SET email_verified_at = now(),
            phone_verified_at = CASE WHEN phone IS NOT NULL THEN now() END WHERE user_id = $1`,
    [user.id],
  );
}
