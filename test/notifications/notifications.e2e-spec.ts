import type { EventEnvelope } from '@app/contracts';
import { Inbox } from '@app/platform';
import {
  createTestApp,
  eventually,
  startSmtpSink,
  type SinkMail,
  type SmtpSink,
  type TestApp,
  type TestUser,
} from '@app/testing';
import { checkout, newProduct } from '../commerce/helpers.js';
import { vaultCard } from '../payments/helpers.js';
import { SmsChannel } from '../../src/notifications/delivery/channels.js';
import { codeIn, settledWithNotifications, verifyContact } from './helpers.js';

describe('notifications: order emails over real SMTP, in-app inbox, priorities, no duplicates', () => {
  /** What the SMTP sink received (its list, once it runs). */
  let mails: SinkMail[] = [];
  let smtp: SmtpSink;
  let t: TestApp;
  let admin: TestUser;

  /** Verifies the user's email with the code the SMTP server received (deliveries need it). */
  const verifyEmail = (user: TestUser) =>
    verifyContact(t, user, 'email', () =>
      codeIn(mails.filter((m) => m.to.includes(user.email)).at(-1)?.raw),
    );
  const mailsAbout = (orderId: string, subject: string) =>
    mails.filter((m) => m.raw.includes(orderId) && new RegExp(`Subject: .*${subject}`).test(m.raw));
  /** The order once it reached a final status. */
  const finalOrder = (user: TestUser, id: string) =>
    eventually(
      async () => {
        const o = (await t.get(`/v1/commerce/orders/${id}`, { token: user.accessToken })).json();
        expect(['CONFIRMED', 'FAILED']).toContain(o.status);
        return o;
      },
      { timeout: 20_000 },
    );

  beforeAll(async () => {
    // A real SMTP server on loopback: the app talks SMTP to it through nodemailer.
    smtp = await startSmtpSink();
    mails = smtp.mails;
    t = await createTestApp({ env: { SMTP_URL: smtp.url, PAYMENTS_POLL_INTERVAL_MS: '100' } });
    admin = await t.newUser({ roles: ['customer', 'admin'] });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  it('welcomes a new user in the in-app inbox (normal priority: no email)', async () => {
    const user = await t.newUser({ displayName: 'Wendy' });
    const inbox = await eventually(async () => {
      const res = (await t.get('/v1/notifications', { token: user.accessToken })).json();
      expect(res.items).toHaveLength(1);
      return res;
    });
    expect(inbox.items[0]).toMatchObject({
      eventType: 'identity.user-registered',
      priority: 'normal',
      title: 'Welcome, Wendy',
      readAt: null,
    });
    const read = await t.post(
      `/v1/notifications/${inbox.items[0].id}/read`,
      {},
      { token: user.accessToken },
    );
    expect(read.json().readAt).toEqual(expect.any(String));
    await settledWithNotifications(t);
    expect(
      (await t.get('/v1/notifications', { token: user.accessToken })).json().items,
    ).toHaveLength(1);
    expect(mails.filter((m) => m.to.includes(user.email))).toEqual([]);
  });

  it('emails the order confirmation with the order id to the customer, once', async () => {
    const buyer = await t.newUser();
    await verifyEmail(buyer);
    const card = await vaultCard(t, buyer);
    const product = await newProduct(t, admin, { price: 4200, stock: 3, name: 'Espresso Machine' });
    const done = await finalOrder(
      buyer,
      (await checkout(t, buyer, card.token, [{ productId: product.id, quantity: 1 }])).json().id,
    );
    expect(done.status).toBe('CONFIRMED');
    await eventually(async () => expect(mailsAbout(done.id, 'confirmed')).toHaveLength(1), {
      timeout: 15_000,
    });
    await settledWithNotifications(t);
    expect(mailsAbout(done.id, 'confirmed')).toHaveLength(1);
    // The whole happy path in one place: stock left the shelf and the ledger has the charge.
    expect((await t.get(`/v1/commerce/inventory/${product.sku}`)).json()).toMatchObject({
      onHand: 2,
      reserved: 0,
    });
    const [payment] = await t.dataSource.query(
      `SELECT state, data FROM payments.sagas WHERE kind = 'order_payment' AND business_key = $1`,
      [done.id],
    );
    expect(payment.state).toBe('COMPLETED');
    expect(
      await t.dataSource.query(`SELECT amount FROM payments.transfers WHERE id = $1`, [
        payment.data.postId,
      ]),
    ).toEqual([{ amount: '4200' }]);
    const [mail] = mailsAbout(done.id, 'confirmed');
    expect(mail!.to).toEqual([buyer.email]);
    expect(mail!.raw).toContain('Espresso Machine');
    expect(mail!.raw).toContain('42.00 EUR');
    const inbox = (await t.get('/v1/notifications', { token: buyer.accessToken })).json();
    expect(inbox.items.map((i: { eventType: string }) => i.eventType)).toContain(
      'commerce.order-confirmed',
    );

    // Duplicate delivery of the event: no second email, no second inbox entry.
    const envelopes: EventEnvelope[] = (
      await t.dataSource.query(
        `SELECT DISTINCT ON (event_id) envelope FROM platform.inbox WHERE consumer = 'notifications.order-confirmed' AND envelope->'payload'->>'orderId' = $1`,
        [done.id],
      )
    ).map((r: { envelope: EventEnvelope }) => r.envelope);
    expect(envelopes).toHaveLength(1);
    await t.resolve(Inbox).dispatch(envelopes);
    await t.resolve(Inbox).dispatch(envelopes);
    await settledWithNotifications(t);
    expect(mailsAbout(done.id, 'confirmed')).toHaveLength(1);
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int n FROM notifications.notifications WHERE title LIKE $1`,
      [`%${done.id}%`],
    );
    expect(n).toBe(2); // one email + one in-app
  });

  it('tells the customer about a failed order (nothing charged) and about a refund', async () => {
    const buyer = await t.newUser();
    await verifyEmail(buyer);
    const card = await vaultCard(t, buyer);
    const soldOut = await newProduct(t, admin, { stock: 0 });
    const failed = await finalOrder(
      buyer,
      (await checkout(t, buyer, card.token, [{ productId: soldOut.id, quantity: 1 }])).json().id,
    );
    expect(failed).toMatchObject({ status: 'FAILED', failureReason: 'out_of_stock' });
    await t.request('DELETE', `/v1/commerce/cart/items/${soldOut.id}`, undefined, {
      token: buyer.accessToken,
    });
    // A refund: a confirmed order, cancelled.
    const product = await newProduct(t, admin, { stock: 1 });
    const confirmed = await finalOrder(
      buyer,
      (await checkout(t, buyer, card.token, [{ productId: product.id, quantity: 1 }])).json().id,
    );
    expect(confirmed.status).toBe('CONFIRMED');
    await t.post(`/v1/commerce/orders/${confirmed.id}/cancel`, {}, { token: buyer.accessToken });
    await eventually(
      async () => {
        expect(mailsAbout(failed.id, 'could not be completed')).toHaveLength(1);
        expect(mailsAbout(confirmed.id, 'Refund')).toHaveLength(1);
      },
      { timeout: 15_000 },
    );
    await settledWithNotifications(t);
    expect(mailsAbout(failed.id, 'could not be completed')).toHaveLength(1);
    expect(mailsAbout(failed.id, 'could not be completed')[0]!.raw).not.toContain('refunded');
    expect(mailsAbout(failed.id, 'Refund')).toHaveLength(0);
    expect(mailsAbout(confirmed.id, 'Refund')).toHaveLength(1);
  });

  it('routes critical messages to SMS and push too once the user has a verified phone and a device', async () => {
    const buyer = await t.newUser();
    await eventually(async () =>
      expect(
        (await t.get('/v1/notifications/preferences', { token: buyer.accessToken })).statusCode,
      ).toBe(200),
    );
    const prefs = await t.request(
      'PUT',
      '/v1/notifications/preferences',
      { phone: '+15555550100', pushToken: 'device-abc' },
      { token: buyer.accessToken },
    );
    expect(prefs.json()).toMatchObject({ phone: '+15555550100', pushToken: '••••' });
    await verifyEmail(buyer);
    const sms = t.resolve(SmsChannel);
    await verifyContact(t, buyer, 'sms', () =>
      codeIn(sms.sandboxSent.filter((m) => m.to === '+15555550100').at(-1)?.body),
    );
    const card = await vaultCard(t, buyer);
    const product = await newProduct(t, admin, { stock: 2 });
    const done = await finalOrder(
      buyer,
      (await checkout(t, buyer, card.token, [{ productId: product.id, quantity: 1 }])).json().id,
    );
    await eventually(async () => {
      const rows = await t.dataSource.query(
        `SELECT channel, status, provider_ref FROM notifications.notifications WHERE user_id = $1 AND event_type = 'commerce.order-confirmed' ORDER BY channel`,
        [buyer.id],
      );
      expect(
        rows.map((r: { channel: string; status: string }) => `${r.channel}:${r.status}`),
      ).toEqual(['email:sent', 'in_app:sent', 'push:sent', 'sms:sent']);
    });
    await settledWithNotifications(t);
    const rows = await t.dataSource.query(
      `SELECT channel, status FROM notifications.notifications WHERE user_id = $1 AND event_type = 'commerce.order-confirmed' ORDER BY channel`,
      [buyer.id],
    );
    expect(
      rows.map((r: { channel: string; status: string }) => `${r.channel}:${r.status}`),
    ).toEqual(['email:sent', 'in_app:sent', 'push:sent', 'sms:sent']);
    expect(done.status).toBe('CONFIRMED');
    const bad = await t.request(
      'PUT',
      '/v1/notifications/preferences',
      { phone: '555-0100' },
      { token: buyer.accessToken },
    );
    expect(bad.statusCode).toBe(400);
  });
});
