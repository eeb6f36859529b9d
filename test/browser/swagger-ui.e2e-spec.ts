import { createTestApp, type TestApp, type TestUser } from '@app/testing';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { newProduct } from '../commerce/helpers.js';
import { CHROMIUM_ARGS, findChromium, listen, step, SwaggerUi } from './swagger-ui.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A new user's whole journey through Swagger UI at /docs in Debian's Chromium: every request the
 * acting user makes is built and sent by Swagger UI (expand, Try it out, fill, Execute). Only the
 * shop's admin setup (a product with stock) and the other party of the transfer use the API
 * directly. Later contexts add their flows here.
 */
describe('Swagger UI in a real browser: every flow by clicking', () => {
  let t: TestApp;
  let base: string;
  let profile: string;
  let context: BrowserContext;
  let page: Page;
  let ui: SwaggerUi;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ env: { PAYMENTS_POLL_INTERVAL_MS: '100' } });
    base = await listen(t);
    admin = await t.newUser({ roles: ['customer', 'admin'] });
    profile = await mkdtemp(join(tmpdir(), 'swagger-ui-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: findChromium(),
      args: CHROMIUM_ARGS,
      headless: true,
      viewport: { width: 1400, height: 1000 },
    });
    context.setDefaultTimeout(10_000);
    page = context.pages()[0] ?? (await context.newPage());
    ui = new SwaggerUi(page, base);
  });
  afterAll(async () => {
    await context?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
    await t?.close();
  });

  it('register → login → Authorize → search → cart → card → order CONFIRMED → notification → top-up → transfer', async () => {
    const suffix = Math.random().toString(36).slice(2, 8).replace(/\d/g, 'x');
    const product = await newProduct(t, admin, {
      name: `Lantern ${suffix}`,
      price: 2500,
      stock: 5,
    });
    const payee = await t.newUser();
    const payeeAccount = (
      await t.post('/v1/payments/accounts', { currency: 'EUR' }, { token: payee.accessToken })
    ).json() as { id: string };

    const email = `browser-${suffix}@example.com`;
    const password = `pw-${suffix}-long-enough`;

    await step(page, 'open-docs', () => ui.open());

    await step(page, 'register', async () => {
      const op = await ui.operation('identity', 'identity_registerUser');
      await op.body({ email, password, displayName: 'Browser Bea' });
      const res = await op.execute();
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.email).toBe(email);
    });

    const accessToken = await step(page, 'login', async () => {
      const op = await ui.operation('identity', 'identity_logIn');
      await op.body({ email, password });
      const res = await op.execute();
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.accessToken as string;
    });

    await step(page, 'authorize', async () => {
      await ui.authorize(accessToken);
      const op = await ui.operation('identity', 'identity_getCurrentUser');
      const res = await op.execute();
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.email).toBe(email);
    });

    await step(page, 'search', async () => {
      const op = await ui.operation('commerce', 'commerce_searchProducts');
      await op.param('q', 'query', suffix);
      const res = await op.executeUntil(
        (a) => a.status === 200 && a.body.items?.some((p: { id: string }) => p.id === product.id),
      );
      expect(res.body.items[0]).toMatchObject({ id: product.id, price: 2500 });
    });

    await step(page, 'add-to-cart', async () => {
      const op = await ui.operation('commerce', 'commerce_addCartItem');
      await op.body({ productId: product.id, quantity: 2 });
      const res = await op.execute();
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    });

    const cardToken = await step(page, 'vault-card', async () => {
      const op = await ui.operation('payments', 'payments_vaultCard');
      await op.body({
        number: '4242424242424242',
        expMonth: 12,
        expYear: 2035,
        cvc: '123',
        holderName: 'Browser Bea',
      });
      const res = await op.execute();
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.token).toMatch(/^tok_/);
      return res.body.token as string;
    });

    await step(page, 'my-cards', async () => {
      const op = await ui.operation('payments', 'payments_listCards');
      const res = await op.execute();
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.items).toEqual([
        expect.objectContaining({ token: cardToken, last4: '4242' }),
      ]);
    });

    const orderId = await step(page, 'place-order', async () => {
      const op = await ui.operation('commerce', 'commerce_placeOrder');
      // Swagger UI pre-fills the one Idempotency-Key field with the documented fresh UUID.
      expect(await op.paramValue('Idempotency-Key', 'header')).toMatch(UUID);
      await op.body({ cardToken });
      const res = await op.execute();
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      expect(res.body.status).toBe('PENDING');
      return res.body.id as string;
    });

    await step(page, 'order-confirmed', async () => {
      const op = await ui.operation('commerce', 'commerce_getOrder');
      await op.param('id', 'path', orderId);
      const res = await op.executeUntil((a) => a.status === 200 && a.body.status !== 'PENDING');
      expect(res.body).toMatchObject({ id: orderId, status: 'CONFIRMED', total: 5000 });
    });

    await step(page, 'my-orders', async () => {
      const op = await ui.operation('commerce', 'commerce_listOrders');
      await op.param('status', 'query', 'CONFIRMED');
      const res = await op.execute();
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.items.map((o: { id: string }) => o.id)).toEqual([orderId]);
    });

    await step(page, 'notification', async () => {
      const op = await ui.operation('notifications', 'notifications_listNotifications');
      const res = await op.executeUntil(
        (a) =>
          a.status === 200 &&
          a.body.items?.some(
            (n: { eventType: string }) => n.eventType === 'commerce.order-confirmed',
          ),
      );
      expect(res.status).toBe(200);
    });

    const accountId = await step(page, 'open-account', async () => {
      const op = await ui.operation('payments', 'payments_openAccount');
      await op.body({ currency: 'EUR' });
      const res = await op.execute();
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.id as string;
    });

    await step(page, 'top-up', async () => {
      const op = await ui.operation('payments', 'payments_topUpAccount');
      await op.param('id', 'path', accountId);
      await op.param('Idempotency-Key', 'header', crypto.randomUUID());
      await op.body({ cardToken, amount: 5000 });
      const res = await op.execute();
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      await settleTransfer(res.body);
    });

    await step(page, 'transfer', async () => {
      const op = await ui.operation('payments', 'payments_createTransfer');
      await op.param('Idempotency-Key', 'header', crypto.randomUUID());
      await op.body({
        fromAccountId: accountId,
        toAccountId: payeeAccount.id,
        amount: 1500,
        currency: 'EUR',
      });
      const res = await op.execute();
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      await settleTransfer(res.body);
    });

    await step(page, 'balance', async () => {
      const op = await ui.operation('payments', 'payments_getAccount');
      await op.param('id', 'path', accountId);
      const res = await op.execute();
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.balance).toMatchObject({ posted: 3500, available: 3500 });
    });
    const payeeBalance = (
      await t.get(`/v1/payments/accounts/${payeeAccount.id}`, { token: payee.accessToken })
    ).json();
    expect(payeeBalance.balance.available).toBe(1500);
  }, 180_000); // ~1 s a step in Swagger UI; room for slow CI machines before a step's own deadline

  /** A top-up or transfer answered PENDING: poll it in Swagger UI until COMPLETED. */
  async function settleTransfer(transfer: { id: string; status: string }): Promise<void> {
    if (transfer.status === 'COMPLETED') return;
    const op = await ui.operation('payments', 'payments_getTransfer');
    await op.param('id', 'path', transfer.id);
    const res = await op.executeUntil((a) => a.status === 200 && a.body.status !== 'PENDING');
    expect(res.body.status, JSON.stringify(res.body)).toBe('COMPLETED');
  }
});
