import { createTestApp, eventually, type TestApp, type TestUser } from '@app/testing';
import { randomInt } from 'node:crypto';
import { SmsChannel } from '../../src/notifications/delivery/channels.js';
import { checkout, newProduct } from '../commerce/helpers.js';
import { vaultCard } from '../payments/helpers.js';
import { codeIn, notificationProfile, settledWithNotifications, verifyContact } from './helpers.js';

describe('notifications: email and SMS only to verified contacts (issue #11)', () => {
  let t: TestApp;
  let admin: TestUser;
  let sms: SmsChannel;

  const newPhone = () => `+1555${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
  const smsTo = (phone: string) => sms.sandboxSent.filter((m) => m.to === phone);
  const lastCodeTo = (phone: string) => codeIn(smsTo(phone).at(-1)?.body);
  const prefs = async (user: TestUser) =>
    (await t.get('/v1/notifications/preferences', { token: user.accessToken })).json();
  const setPhone = (user: TestUser, phone: string) =>
    t.request('PUT', '/v1/notifications/preferences', { phone }, { token: user.accessToken });
  const requestCode = (user: TestUser, channel = 'sms') =>
    t.post(`/v1/notifications/contacts/${channel}/verification`, {}, { token: user.accessToken });
  const confirm = (user: TestUser, code: string, channel = 'sms') =>
    t.post(
      `/v1/notifications/contacts/${channel}/verification/confirm`,
      { code },
      { token: user.accessToken },
    );
  const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');
  /** A customer with a phone set (unverified), and the channels of their confirmed order. */
  async function buyerWithPhone() {
    const buyer = await t.newUser();
    await notificationProfile(t, buyer);
    const phone = newPhone();
    expect((await setPhone(buyer, phone)).statusCode).toBe(200);
    return { buyer, phone };
  }
  async function orderChannels(buyer: TestUser): Promise<string[]> {
    const card = await vaultCard(t, buyer);
    const product = await newProduct(t, admin, { stock: 1 });
    const placed = await checkout(t, buyer, card.token, [{ productId: product.id, quantity: 1 }]);
    expect(placed.statusCode).toBe(202);
    const orderId: string = placed.json().id;
    await eventually(
      async () => {
        const o = await t.get(`/v1/commerce/orders/${orderId}`, { token: buyer.accessToken });
        expect(o.json().status).toBe('CONFIRMED');
      },
      { timeout: 20_000 },
    );
    await eventually(async () => {
      const [{ n }] = await t.dataSource.query(
        `SELECT count(*)::int n FROM notifications.notifications WHERE user_id = $1 AND title LIKE $2 AND channel = 'in_app'`,
        [buyer.id, `%${orderId}%`],
      );
      expect(n).toBe(1);
    });
    await settledWithNotifications(t);
    const rows: { channel: string; status: string }[] = await t.dataSource.query(
      `SELECT channel, status FROM notifications.notifications WHERE user_id = $1 AND title LIKE $2 ORDER BY channel`,
      [buyer.id, `%${orderId}%`],
    );
    return rows.map((r) => `${r.channel}:${r.status}`);
  }

  beforeAll(async () => {
    t = await createTestApp({ env: { PAYMENTS_POLL_INTERVAL_MS: '100' } });
    admin = await t.newUser({ roles: ['customer', 'admin'] });
    sms = t.resolve(SmsChannel);
  });
  afterAll(() => t?.close());

  it('sends no SMS and no email for an order to an unverified phone and email', async () => {
    const { buyer, phone } = await buyerWithPhone();
    expect(await prefs(buyer)).toMatchObject({ phone, emailVerified: false, phoneVerified: false });
    expect(await orderChannels(buyer)).toEqual(['in_app:sent']);
    expect(smsTo(phone)).toEqual([]);
  });

  it('verifies a phone by the code sent to it; then the order SMS is sent', async () => {
    const { buyer, phone } = await buyerWithPhone();
    const sent = await requestCode(buyer);
    expect(sent.statusCode, sent.body).toBe(202);
    expect(sent.json()).toMatchObject({ channel: 'sms', sendsLeft: 4 });
    // The code is the one message an unverified phone gets; it is stored only as a hash.
    expect(smsTo(phone)).toHaveLength(1);
    const code = lastCodeTo(phone)!;
    const [row] = await t.dataSource.query(
      `SELECT code_hash FROM notifications.contact_verifications WHERE user_id = $1`,
      [buyer.id],
    );
    expect(row.code_hash).not.toContain(code);
    const ok = await confirm(buyer, code);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ phone, phoneVerified: true, emailVerified: false });
    expect((await requestCode(buyer)).json().code).toBe('notifications.contact_verified');
    expect(await orderChannels(buyer)).toEqual(['in_app:sent', 'sms:sent']);
    expect(smsTo(phone)).toHaveLength(2);
  });

  it('locks a code after 5 wrong guesses, even against the right code; a new code works', async () => {
    const { buyer, phone } = await buyerWithPhone();
    expect((await requestCode(buyer)).statusCode).toBe(202);
    const code = lastCodeTo(phone)!;
    for (let left = 4; left >= 1; left--) {
      const res = await confirm(buyer, wrong(code));
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({
        code: 'notifications.verification_failed',
        attemptsLeft: left,
      });
    }
    const fifth = await confirm(buyer, wrong(code));
    expect(fifth.statusCode).toBe(409);
    expect(fifth.json().code).toBe('notifications.verification_locked');
    expect((await confirm(buyer, code)).json().code).toBe('notifications.verification_locked');
    expect((await prefs(buyer)).phoneVerified).toBe(false);

    expect((await requestCode(buyer)).statusCode).toBe(202);
    const fresh = lastCodeTo(phone)!;
    expect((await confirm(buyer, fresh)).json().phoneVerified).toBe(true);
  });

  it('limits codes to 5 an hour per channel', async () => {
    const { buyer } = await buyerWithPhone();
    for (let i = 0; i < 5; i++) expect((await requestCode(buyer)).statusCode).toBe(202);
    const sixth = await requestCode(buyer);
    expect(sixth.statusCode).toBe(429);
    expect(sixth.headers['content-type']).toContain('application/problem+json');
    expect(sixth.json()).toMatchObject({
      code: 'notifications.verification_throttled',
      retryAfter: expect.any(Number),
    });
    // The header says the same as the body (the problem filter sends it for any `retryAfter`).
    expect(Number(sixth.headers['retry-after'])).toBe(sixth.json().retryAfter);
    // Changing the phone does not start a new count.
    await setPhone(buyer, newPhone());
    expect((await requestCode(buyer)).statusCode).toBe(429);
  });

  it('resets the verification when the phone changes; an old code does not verify the new one', async () => {
    const { buyer, phone } = await buyerWithPhone();
    await verifyContact(t, buyer, 'sms', () => lastCodeTo(phone));
    expect((await setPhone(buyer, phone)).json().phoneVerified).toBe(true); // same phone: kept
    expect((await requestCode(buyer)).statusCode).toBe(409);

    const other = newPhone();
    const changed = await setPhone(buyer, other);
    expect(changed.json()).toMatchObject({ phone: other, phoneVerified: false });
    expect(await orderChannels(buyer)).toEqual(['in_app:sent']);
    expect(smsTo(other)).toEqual([]);
    // A code sent to the old phone would not verify the new one.
    const before = await confirm(buyer, lastCodeTo(phone)!);
    expect(before.statusCode).toBe(422);
    await verifyContact(t, buyer, 'sms', () => lastCodeTo(other));
    expect((await prefs(buyer)).phoneVerified).toBe(true);
  });

  it('answers clear 4xx for a channel it does not know, no phone, and a malformed code', async () => {
    const buyer = await t.newUser();
    await notificationProfile(t, buyer);
    const push = await requestCode(buyer, 'push');
    expect(push.statusCode).toBe(400);
    expect(push.json().code).toBe('platform.bad_request');
    const noPhone = await requestCode(buyer);
    expect(noPhone.statusCode).toBe(409);
    expect(noPhone.json().code).toBe('notifications.contact_missing');
    const bad = await confirm(buyer, '12ab', 'email');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('platform.validation_failed');
    expect((await confirm(buyer, '123456', 'email')).statusCode).toBe(422); // none requested
  });
});
