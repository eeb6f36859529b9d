import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { eventually } from './eventually.js';
import { TINY_PNG, uploadFile } from './media-uploads.js';
import { settled } from './settled.js';
import { saasCustomer, saasWorld, type SaasCustomer } from './saas-fixtures.js';
import { streamingCustomer, streamingPlan, type StreamingCustomer } from './streaming-fixtures.js';
import type { TestApp, TestUser } from './test-app.js';

/**
 * Resources created over the API for the reliability harness (fuzz, access matrix, exposure):
 * one small world per test app, and per customer the things that have ids. Everything goes
 * through HTTP, so a fixture breaks when the route it relies on does.
 */

/** Cards the sandbox network accepts; distinct numbers per customer (fingerprints differ). */
export const CARD_NUMBERS = [
  '4242424242424242',
  '5555555555554444',
  '4000056655665556',
  '5200828282828210',
  '6011111111111117',
  '4012888888881881',
  '5105105105105100',
  '3056930009020004',
];

export interface Customer {
  user: TestUser;
  /** Streaming: a private video, a tus upload for it, a subscription to the world's plan. */
  streaming: StreamingCustomer;
  /** SaaS: the customer's tenant (the access token is switched into it) and what is in it. */
  saas: SaasCustomer;
  /** Card tokens, card numbers and CVCs (the last two are secrets the API must never echo). */
  cards: { token: string; number: string; cvc: string }[];
  accounts: string[];
  transfers: string[];
  orders: string[];
  notifications: string[];
  /** Social uploads (a tiny PNG), by id. */
  media: string[];
  /** Social: the profile's handle, a published post and a draft (only its author sees it). */
  handle: string;
  posts: string[];
  drafts: string[];
  /** Refresh tokens of extra sessions, for routes that consume one (refresh, logout). */
  spareRefreshTokens: string[];
}

export interface World {
  admin: TestUser;
  categoryId: string;
  products: { id: string; sku: string }[];
  /** A delivery in platform.inbox (any status): redrive's `{eventId}/{consumer}`. */
  delivery?: { eventId: string; consumer: string };
  /** The admin's social handle: a profile anyone may follow, block or mute. */
  socialHandle: string;
  /** The admin's streaming plan, which every customer subscribes to. */
  planId: string;
  /** The admin's tenant (it invites every customer) and the admin's token switched into it. */
  saas: { tenantId: string; token: string };
}

function expectStatus(what: string, res: { statusCode: number; body: string }, ...ok: number[]) {
  if (!ok.includes(res.statusCode)) throw new Error(`${what}: ${res.statusCode} ${res.body}`);
}

const suffix = () => randomBytes(4).toString('hex');

/** An admin, a category and two products with stock. */
export async function createWorld(t: TestApp): Promise<World> {
  const admin = await t.newUser({ roles: ['customer', 'admin'] });
  const auth = { token: admin.accessToken };
  const category = await t.post(
    '/v1/commerce/categories',
    { name: 'Fixtures', slug: `fixtures-${suffix()}` },
    auth,
  );
  expectStatus('create category', category, 201);
  const categoryId = category.json().id as string;
  const products: World['products'] = [];
  for (let i = 0; i < 2; i++) {
    const sku = `FIX-${suffix()}`.toUpperCase();
    const res = await t.post(
      '/v1/commerce/products',
      {
        sku,
        name: `Fixture ${i}`,
        description: 'A fixture',
        price: 1200,
        currency: 'EUR',
        categoryId,
      },
      auth,
    );
    expectStatus('create product', res, 201);
    const stock = await t.request('PUT', `/v1/commerce/inventory/${sku}`, { onHand: 1000 }, auth);
    expectStatus('set stock', stock, 200);
    products.push({ id: res.json().id, sku });
  }
  return {
    admin,
    categoryId,
    products,
    socialHandle: await socialHandle(t, admin),
    planId: await streamingPlan(t, admin),
    saas: await saasWorld(t, admin),
  };
}

/** The user's social handle, once the profile projection of their registration has run. */
export function socialHandle(t: TestApp, user: TestUser): Promise<string> {
  return eventually(
    async () => {
      const res = await t.get('/v1/social/profiles/me', { token: user.accessToken });
      expectStatus('social profile', res, 200);
      return res.json().handle as string;
    },
    { timeout: 15_000 },
  );
}

/** After some events flowed: any inbox row gives redrive a real `{eventId}/{consumer}`. */
export async function findDelivery(t: TestApp, world: World): Promise<void> {
  const [row] = await t.dataSource.query(
    `SELECT event_id AS "eventId", consumer FROM platform.inbox ORDER BY created_at LIMIT 1`,
  );
  world.delivery = row;
}

/**
 * A customer with two cards, two EUR wallets (the first topped up), a transfer between them,
 * two orders, an item left in the cart, a few notifications and spare sessions.
 * `cardOffset` picks distinct card numbers for different customers.
 */
export async function newCustomer(t: TestApp, world: World, cardOffset = 0): Promise<Customer> {
  const user = await t.newUser();
  const auth = { token: user.accessToken };
  const c: Customer = {
    user,
    cards: [],
    accounts: [],
    transfers: [],
    orders: [],
    notifications: [],
    media: [],
    handle: await socialHandle(t, user),
    posts: [],
    drafts: [],
    spareRefreshTokens: [],
    streaming: { videos: [], uploads: [], subscriptions: [] },
    saas: undefined as unknown as SaasCustomer,
  };
  for (let i = 0; i < 2; i++) {
    const number = CARD_NUMBERS[(cardOffset * 2 + i) % CARD_NUMBERS.length]!;
    const cvc = String(7000 + randomInt(3000));
    const res = await t.post(
      '/v1/payments/cards',
      { number, expMonth: 12, expYear: 2035, cvc, holderName: user.displayName },
      auth,
    );
    expectStatus('vault card', res, 201);
    c.cards.push({ token: res.json().token, number, cvc });
  }
  for (let i = 0; i < 2; i++) {
    const res = await t.post('/v1/payments/accounts', { currency: 'EUR' }, auth);
    expectStatus('open account', res, 201);
    c.accounts.push(res.json().id);
  }
  const key = (headers = {}) => ({
    ...auth,
    headers: { 'idempotency-key': randomUUID(), ...headers },
  });
  const topUp = await t.post(
    `/v1/payments/accounts/${c.accounts[0]}/top-ups`,
    { cardToken: c.cards[0]!.token, amount: 10_000 },
    key(),
  );
  expectStatus('top up', topUp, 201);
  c.transfers.push(topUp.json().id);
  await eventually(
    async () => {
      const a = await t.get(`/v1/payments/accounts/${c.accounts[0]}`, auth);
      if (a.json().balance?.available < 1000) throw new Error(`not funded yet: ${a.body}`);
    },
    { timeout: 15_000 },
  );
  const transfer = await t.post(
    '/v1/payments/transfers',
    { fromAccountId: c.accounts[0], toAccountId: c.accounts[1], amount: 500, currency: 'EUR' },
    key(),
  );
  expectStatus('transfer', transfer, 201);
  c.transfers.push(transfer.json().id);
  for (let i = 0; i < 2; i++) {
    const item = { productId: world.products[0]!.id, quantity: 1 };
    expectStatus('add to cart', await t.post('/v1/commerce/cart/items', item, auth), 200);
    const order = await t.post('/v1/commerce/orders', { cardToken: c.cards[0]!.token }, key());
    expectStatus('place order', order, 202);
    c.orders.push(order.json().id);
  }
  const item = { productId: world.products[1]!.id, quantity: 2 };
  expectStatus('add to cart', await t.post('/v1/commerce/cart/items', item, auth), 200);
  for (let i = 0; i < 3; i++) {
    c.spareRefreshTokens.push((await t.login(user.email, user.password)).refreshToken);
  }
  const upload = await uploadFile(t, user.accessToken, TINY_PNG, 'image/png');
  expectStatus('upload media', upload, 201);
  c.media.push(upload.json().id);
  for (const draft of [false, true]) {
    const post = await t.post('/v1/social/posts', { text: `Fixture post`, draft }, auth);
    expectStatus('write a post', post, 201);
    (draft ? c.drafts : c.posts).push(post.json().id);
  }
  c.streaming = await streamingCustomer(t, user, world.planId, c.cards[0]!.token);
  // Last: it switches the customer's access token into their tenant.
  c.saas = await saasCustomer(t, user, world);
  // A first feed read records the reader as active (a write); later reads within the hour do not.
  expectStatus('read the feed', await t.get('/v1/social/feed', auth), 200);
  await settled(t, { timeout: 30_000 });
  const inbox = await t.get('/v1/notifications?limit=100', auth);
  expectStatus('list notifications', inbox, 200);
  c.notifications = (inbox.json().items as { id: string }[]).map((n) => n.id);
  if (c.notifications.length === 0) throw new Error('no notification arrived for the customer');
  return c;
}
