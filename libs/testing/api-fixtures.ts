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

/** How a path parameter is resolved: the resource it names and whether a customer owns it. */
export interface PathResource {
  owned: boolean;
  value: (world: World, customer: Customer) => string | undefined;
  /**
   * Operations that take this body field but cannot judge it there and then: the context that
   * owns the resource checks it later (payments charges only its owner's cards).
   */
  checkedLater?: string[];
}

/**
 * Path parameters by `<last static segment before it>:<name>`. A new route whose parameter is
 * not here fails the access matrix with a message naming this map.
 */
export const PATH_RESOURCES: Record<string, PathResource> = {
  'products:id': { owned: false, value: (w) => w.products[0]!.id },
  'items:productId': { owned: false, value: (w) => w.products[1]!.id },
  'inventory:sku': { owned: false, value: (w) => w.products[0]!.sku },
  'problems:code': { owned: false, value: () => 'platform.not_found' },
  'deliveries:eventId': { owned: false, value: (w) => w.delivery?.eventId },
  'deliveries:consumer': { owned: false, value: (w) => w.delivery?.consumer },
  'orders:id': { owned: true, value: (_, c) => c.orders[0] },
  'accounts:id': { owned: true, value: (_, c) => c.accounts[0] },
  'transfers:id': { owned: true, value: (_, c) => c.transfers[0] },
  'notifications:id': { owned: true, value: (_, c) => c.notifications[0] },
  'contacts:channel': { owned: false, value: () => 'sms' },
  // Served publicly (for <img>/<video>; ids are unguessable), so anyone's is anyone's to read.
  'media:id': { owned: false, value: (_, c) => c.media[0] },
  // Profiles are public (a block hides one, tested in test/social); the admin's is anyone's.
  'profiles:handle': { owned: false, value: (w) => w.socialHandle },
  // The draft: nobody but its author may read, publish, delete, like, share or comment on it.
  'posts:id': { owned: true, value: (_, c) => c.drafts[0] },
  // Streaming: the private video and its upload are A's alone; so is A's subscription.
  'videos:id': { owned: true, value: (_, c) => c.streaming.videos[0] },
  'uploads:uploadId': { owned: true, value: (_, c) => c.streaming.uploads[0] },
  'subscriptions:id': { owned: true, value: (_, c) => c.streaming.subscriptions[0] },
  'renditions:name': { owned: false, value: () => '720p' },
  // A channel is its owner's user id and public (its plans are listed to anyone); its
  // analytics answer 403 to anyone else (test/streaming/analytics).
  'channels:id': { owned: false, value: (w) => w.admin.id },
  'plans:id': { owned: false, value: (w) => w.planId },
  // Signed media: no bearer token (the path's token is the grant); `public` for public videos.
  'media:videoId': { owned: false, value: (_, c) => c.streaming.videos[0] },
  'media:token': { owned: false, value: () => 'public' },
  'media:rendition': { owned: false, value: () => '720p' },
  'media:file': { owned: false, value: () => 'index.m3u8' },
  'player:asset': { owned: false, value: () => 'player-000000000000.js' },
  // SaaS: A's tenant and everything in it are A's; tenant routes act in the token's tenant.
  'tenants:id': { owned: true, value: (_, c) => c.saas.tenantId },
  'projects:id': { owned: true, value: (_, c) => c.saas.projectId },
  'tasks:id': { owned: true, value: (_, c) => c.saas.taskId },
  'invoices:id': { owned: true, value: (_, c) => c.saas.invoiceId },
  // A's colleague is a member of A's tenant, not of B's.
  'members:userId': { owned: true, value: (_, c) => c.saas.memberId },
  'invitations:id': { owned: true, value: (_, c) => c.saas.invitationId },
  // An invitation to A's email: only A may accept it.
  'invitations:invitationId': { owned: true, value: (_, c) => c.saas.incomingInvitationId },
  // A signed invoice link is a capability: whoever holds it may read the page.
  'invoice-pages:tenantId': { owned: false, value: (_, c) => c.saas.tenantId },
  'invoice-pages:invoiceId': { owned: false, value: (_, c) => c.saas.invoiceId },
  'invoice-pages:signature': { owned: false, value: (_, c) => c.saas.invoiceSignature },
};

/** Body fields that name something: real values make valid requests reach the handler. */
export const BODY_RESOURCES: Record<string, PathResource> = {
  // Streaming keeps a subscription's card token and payments refuses a card of someone else's
  // when it charges (a failed charge: the subscription goes PAST_DUE, then LAPSED).
  cardToken: {
    owned: true,
    value: (_, c) => c.cards[0]!.token,
    checkedLater: ['streaming_createSubscription', 'streaming_updateSubscription'],
  },
  fromAccountId: { owned: true, value: (_, c) => c.accounts[0] },
  // A's own user id: a member of A's tenant only (B assigning it → 422, as an unknown id).
  assigneeId: { owned: true, value: (_, c) => c.user.id },
  // Creating a tenant for another owner is for administrators: refused to customers either way.
  ownerId: { owned: true, value: (_, c) => c.user.id },
  // Kept as the tenant's billing card; payments charges only its owner's cards.
  billingCardToken: {
    owned: true,
    value: (_, c) => c.cards[0]!.token,
    checkedLater: ['saas_updateTenant'],
  },
  toAccountId: { owned: false, value: (_, c) => c.accounts[1] },
  productId: { owned: false, value: (w) => w.products[0]!.id },
  categoryId: { owned: false, value: (w) => w.categoryId },
  parentId: { owned: false, value: (w) => w.categoryId },
  replyToId: { owned: true, value: (_, c) => c.drafts[0] },
  planId: { owned: false, value: (w) => w.planId },
  // A credential, not an id: whoever holds it may use it, so not an access-matrix cell.
  refreshToken: { owned: false, value: (_, c) => c.spareRefreshTokens.pop() },
};

/** The map key of a path parameter: `/v1/payments/accounts/{id}/entries` + `id` → `accounts:id`. */
export function pathResourceKey(path: string, param: string): string {
  const segments = path.split('/');
  const at = segments.indexOf(`{${param}}`);
  const before = segments.slice(0, at).filter((s) => s && !s.startsWith('{'));
  return `${before.at(-1) ?? ''}:${param}`;
}
