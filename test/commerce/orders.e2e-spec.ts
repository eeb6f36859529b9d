import type { EventEnvelope } from '@app/contracts';
import { Inbox } from '@app/platform';
import { createTestApp, eventually, settled, type TestApp, type TestUser } from '@app/testing';
import { checkout, newProduct } from './helpers.js';
import { settledWithSagas, vaultCard } from '../payments/helpers.js';

describe('commerce: orders and the choreographed order saga', () => {
  let t: TestApp;
  let admin: TestUser;

  const order = (user: TestUser, id: string) =>
    t.get(`/v1/commerce/orders/${id}`, { token: user.accessToken });
  /** The order once it reached a final status. */
  const finalOrder = (user: TestUser, id: string) =>
    eventually(
      async () => {
        const o = (await order(user, id)).json();
        expect(['CONFIRMED', 'FAILED', 'CANCELLED']).toContain(o.status);
        return o;
      },
      { timeout: 20_000 },
    );
  const stock = async (sku: string) => (await t.get(`/v1/commerce/inventory/${sku}`)).json();
  const outbox = async (type: string, orderId: string) =>
    (
      await t.dataSource.query(
        `SELECT payload FROM platform.outbox WHERE type = $1 AND payload->>'orderId' = $2`,
        [type, orderId],
      )
    ).map((r: { payload: object }) => r.payload);
  /** Charges the sandbox card network has on its books (its own Redis keys). */
  const sandboxCharges = async () =>
    (await t.redis.keys(`${t.redisPrefix}payments:sandbox:charge:*`)).length;

  beforeAll(async () => {
    t = await createTestApp({
      env: { PAYMENTS_POLL_INTERVAL_MS: '100', OUTBOX_POLL_INTERVAL_MS: '50' },
    });
    admin = await t.newUser({ roles: ['customer', 'admin'] });
  });
  afterAll(() => t.close());

  it('happy path: cart → order → PAID → CONFIRMED; stock decremented; the ledger has the charge', async () => {
    const buyer = await t.newUser();
    const card = await vaultCard(t, buyer);
    const product = await newProduct(t, admin, { price: 2500, stock: 10 });
    const res = await checkout(t, buyer, card.token, [{ productId: product.id, quantity: 2 }]);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ id: expect.any(String), status: 'PENDING' });
    const done = await finalOrder(buyer, res.json().id);
    expect(done).toMatchObject({
      status: 'CONFIRMED',
      total: 5000,
      currency: 'EUR',
      lines: [{ productId: product.id, quantity: 2, unitPrice: 2500 }],
    });
    expect(done.timeline.map((e: { to: string }) => e.to)).toEqual([
      'PENDING',
      'PAID',
      'CONFIRMED',
    ]);
    expect(await stock(product.sku)).toEqual({
      sku: product.sku,
      onHand: 8,
      reserved: 0,
      available: 8,
    });
    const [payment] = await t.dataSource.query(
      `SELECT state, data FROM payments.sagas WHERE kind = 'order_payment' AND business_key = $1`,
      [done.id],
    );
    expect(payment.state).toBe('COMPLETED');
    const posted = await t.dataSource.query(`SELECT amount FROM payments.transfers WHERE id = $1`, [
      payment.data.postId,
    ]);
    expect(posted).toEqual([{ amount: '5000' }]);
    expect((await t.get('/v1/commerce/cart', { token: buyer.accessToken })).json().lines).toEqual(
      [],
    );
    // Someone else's order answers like a missing one; an admin sees it.
    const stranger = await t.newUser();
    expect((await order(stranger, done.id)).statusCode).toBe(404);
    expect((await order(admin, done.id)).statusCode).toBe(200);
  });

  it('the same Idempotency-Key twice makes one order', async () => {
    const buyer = await t.newUser();
    const card = await vaultCard(t, buyer);
    const product = await newProduct(t, admin, { stock: 5 });
    const first = await checkout(
      t,
      buyer,
      card.token,
      [{ productId: product.id, quantity: 1 }],
      'same-key',
    );
    const second = await t.post(
      '/v1/commerce/orders',
      { cardToken: card.token },
      { token: buyer.accessToken, headers: { 'idempotency-key': 'same-key' } },
    );
    expect(second.json().id).toBe(first.json().id);
    expect(second.headers['idempotent-replayed']).toBe('true');
    // Even with the 24 h cache gone (and the cart already emptied), the order is the guard.
    for (const k of await t.redis.keys(`${t.redisPrefix}platform:idem:*`)) await t.redis.del(k);
    const third = await t.post(
      '/v1/commerce/orders',
      { cardToken: card.token },
      { token: buyer.accessToken, headers: { 'idempotency-key': 'same-key' } },
    );
    expect(third.statusCode).toBe(202);
    expect(third.json().id).toBe(first.json().id);
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int n FROM commerce.orders WHERE customer_id = $1`,
      [buyer.id],
    );
    expect(n).toBe(1);
  });

  it('a declined card fails the order and gives back the stock checkout reserved', async () => {
    const buyer = await t.newUser();
    const card = await vaultCard(t, buyer, '4000000000000002');
    const product = await newProduct(t, admin, { stock: 3 });
    const res = await checkout(t, buyer, card.token, [{ productId: product.id, quantity: 1 }]);
    const done = await finalOrder(buyer, res.json().id);
    expect(done).toMatchObject({ status: 'FAILED', failureReason: 'payment_failed:card_declined' });
    await settledWithSagas(t, [done.id]);
    expect(await stock(product.sku)).toMatchObject({ onHand: 3, reserved: 0 });
    const movements = await t.dataSource.query(
      `SELECT reason, reserved_delta FROM commerce.stock_movements WHERE order_id = $1 ORDER BY created_at`,
      [done.id],
    );
    expect(movements).toEqual([
      { reason: 'reserve', reserved_delta: 1 },
      { reason: 'release', reserved_delta: -1 },
    ]);
  });

  it('out of stock at checkout: FAILED out_of_stock at once, the card is never charged, the cart is kept', async () => {
    const buyer = await t.newUser();
    const card = await vaultCard(t, buyer);
    const product = await newProduct(t, admin, { stock: 1 });
    await settledWithSagas(t);
    const chargesBefore = await sandboxCharges();
    const res = await checkout(t, buyer, card.token, [{ productId: product.id, quantity: 2 }]);
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toEqual({ id: expect.any(String), status: 'FAILED' });
    const done = (await order(buyer, res.json().id)).json();
    expect(done).toMatchObject({ status: 'FAILED', failureReason: 'out_of_stock' });
    expect(done.timeline.map((e: { to: string }) => e.to)).toEqual(['PENDING', 'FAILED']);
    await settledWithSagas(t);
    // Payments never heard of it: no saga, so no hold, charge or refund; the processor's books
    // have no new charge.
    expect(await outbox('commerce.order-created', done.id)).toEqual([]);
    expect(await outbox('commerce.order-cancelled', done.id)).toEqual([]);
    expect(await outbox('payments.payment-refunded', done.id)).toEqual([]);
    expect(
      await t.dataSource.query(`SELECT kind FROM payments.sagas WHERE business_key = $1`, [
        done.id,
      ]),
    ).toEqual([]);
    expect(await sandboxCharges()).toBe(chargesBefore);
    expect(await outbox('commerce.order-failed', done.id)).toEqual([
      expect.objectContaining({ reason: 'out_of_stock', refundPending: false }),
    ]);
    expect(await stock(product.sku)).toMatchObject({ onHand: 1, reserved: 0 });
    // The cart is kept, to change (fewer units) and check out again.
    const cart = (await t.get('/v1/commerce/cart', { token: buyer.accessToken })).json();
    expect(cart.lines).toEqual([expect.objectContaining({ productId: product.id, quantity: 2 })]);
  });

  it('20 concurrent orders for the last 5 units: exactly 5 CONFIRMED and charged, 15 FAILED out_of_stock and never charged', async () => {
    const product = await newProduct(t, admin, { price: 1000, stock: 5 });
    const buyers = await Promise.all(Array.from({ length: 20 }, () => t.newUser()));
    const cards = await Promise.all(buyers.map((b) => vaultCard(t, b)));
    await settledWithSagas(t);
    const chargesBefore = await sandboxCharges();
    const placed = await Promise.all(
      buyers.map((b, i) =>
        checkout(t, b, cards[i]!.token, [{ productId: product.id, quantity: 1 }]),
      ),
    );
    const results = await Promise.all(placed.map((p, i) => finalOrder(buyers[i]!, p.json().id)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 'CONFIRMED')).toHaveLength(5);
    expect(statuses.filter((s) => s === 'FAILED')).toHaveLength(15);
    expect(results.filter((r) => r.status === 'FAILED').map((r) => r.failureReason)).toEqual(
      Array(15).fill('out_of_stock'),
    );
    expect(await stock(product.sku)).toEqual({
      sku: product.sku,
      onHand: 0,
      reserved: 0,
      available: 0,
    });
    await settledWithSagas(
      t,
      results.map((r) => r.id),
      { timeout: 30_000 },
    );
    // Only the 5 confirmed orders reached payments: 5 charges, nothing refunded.
    const sagas = await t.dataSource.query(
      `SELECT business_key, kind FROM payments.sagas WHERE business_key = ANY($1)`,
      [results.map((r) => r.id)],
    );
    expect(sagas.map((s: { business_key: string }) => s.business_key).sort()).toEqual(
      results
        .filter((r) => r.status === 'CONFIRMED')
        .map((r) => r.id)
        .sort(),
    );
    expect(sagas.every((s: { kind: string }) => s.kind === 'order_payment')).toBe(true);
    expect(await sandboxCharges()).toBe(chargesBefore + 5);
    for (const r of results) expect(await outbox('payments.payment-refunded', r.id)).toEqual([]);
    const report = (await t.get('/v1/payments/ledger/verify', { token: admin.accessToken })).json();
    expect(report).toMatchObject({ ok: true, problems: [] });
  });

  it('duplicate delivery of every saga event changes nothing', async () => {
    const buyer = await t.newUser();
    const card = await vaultCard(t, buyer);
    const product = await newProduct(t, admin, { stock: 4 });
    const done = await finalOrder(
      buyer,
      (await checkout(t, buyer, card.token, [{ productId: product.id, quantity: 1 }])).json().id,
    );
    expect(done.status).toBe('CONFIRMED');
    await settledWithSagas(t, [done.id]);
    const snapshot = async () => ({
      stock: await stock(product.sku),
      movements: (
        await t.dataSource.query(
          `SELECT count(*)::int n FROM commerce.stock_movements WHERE order_id = $1`,
          [done.id],
        )
      )[0].n,
      timeline: (await order(buyer, done.id)).json().timeline.length,
      confirmations: (await outbox('commerce.order-confirmed', done.id)).length,
      charges: (
        await t.dataSource.query(
          `SELECT count(*)::int n FROM payments.sagas WHERE business_key = $1`,
          [done.id],
        )
      )[0].n,
    });
    const before = await snapshot();
    const envelopes: EventEnvelope[] = (
      await t.dataSource.query(
        `SELECT DISTINCT ON (event_id) envelope FROM platform.inbox WHERE envelope->'payload'->>'orderId' = $1`,
        [done.id],
      )
    ).map((r: { envelope: EventEnvelope }) => r.envelope);
    expect(envelopes.map((e) => e.type).sort()).toEqual(
      expect.arrayContaining(['commerce.order-created', 'payments.payment-succeeded']),
    );
    await t.resolve(Inbox).dispatch(envelopes);
    await t.resolve(Inbox).dispatch(envelopes);
    await settledWithSagas(t, [done.id]);
    expect(await snapshot()).toEqual(before);
  });

  it('a customer cancels a CONFIRMED order: CANCELLED, stock back, payment refunded once', async () => {
    const buyer = await t.newUser();
    const card = await vaultCard(t, buyer);
    const product = await newProduct(t, admin, { price: 700, stock: 2 });
    const done = await finalOrder(
      buyer,
      (await checkout(t, buyer, card.token, [{ productId: product.id, quantity: 2 }])).json().id,
    );
    expect(await stock(product.sku)).toMatchObject({ onHand: 0 });
    const res = await t.post(
      `/v1/commerce/orders/${done.id}/cancel`,
      {},
      { token: buyer.accessToken },
    );
    expect(res.json()).toEqual({ id: done.id, status: 'CANCELLED' });
    expect(await stock(product.sku)).toMatchObject({ onHand: 2, reserved: 0 });
    await eventually(async () =>
      expect(await outbox('payments.payment-refunded', done.id)).toHaveLength(1),
    );
    await settledWithSagas(t, [done.id]);
    expect(await outbox('payments.payment-refunded', done.id)).toHaveLength(1);
    const again = await t.post(
      `/v1/commerce/orders/${done.id}/cancel`,
      {},
      { token: buyer.accessToken },
    );
    expect(again.json().status).toBe('CANCELLED');
    await settledWithSagas(t, [done.id]);
    expect(await stock(product.sku)).toMatchObject({ onHand: 2 });
    expect(await outbox('payments.payment-refunded', done.id)).toHaveLength(1);
  });

  it('refuses an empty cart and illegal moves with clear problems', async () => {
    const buyer = await t.newUser();
    const card = await vaultCard(t, buyer);
    const empty = await t.post(
      '/v1/commerce/orders',
      { cardToken: card.token },
      { token: buyer.accessToken, headers: { 'idempotency-key': 'empty' } },
    );
    expect(empty.statusCode).toBe(422);
    expect(empty.json().code).toBe('commerce.cart_empty');
    const product = await newProduct(t, admin, { stock: 0 });
    const failed = await finalOrder(
      buyer,
      (await checkout(t, buyer, card.token, [{ productId: product.id, quantity: 1 }])).json().id,
    );
    const cancel = await t.post(
      `/v1/commerce/orders/${failed.id}/cancel`,
      {},
      { token: buyer.accessToken },
    );
    expect(cancel.statusCode).toBe(409);
    expect(cancel.json().code).toBe('commerce.illegal_transition');
  });
});

describe('commerce: an order whose saga stalls', () => {
  it('times out: FAILED with reason timeout, and a cancellation is published so any capture is refunded', async () => {
    // No payments context in this process: nobody answers order-created.
    const t = await createTestApp({
      env: {
        CONTEXTS: 'identity,commerce',
        COMMERCE_ORDER_TIMEOUT_SECONDS: '1',
        COMMERCE_POLL_INTERVAL_MS: '200',
      },
    });
    try {
      const admin = await t.newUser({ roles: ['customer', 'admin'] });
      const buyer = await t.newUser();
      const product = await newProduct(t, admin, { stock: 1 });
      const placed = await checkout(t, buyer, `tok_${'x'.repeat(24)}`, [
        { productId: product.id, quantity: 1 },
      ]);
      expect(placed.statusCode).toBe(202);
      // Checkout reserved the unit before asking for payment; the timeout gives it back.
      const stockOf = async () =>
        (await t.get(`/v1/commerce/inventory/${product.sku}`)).json() as {
          onHand: number;
          reserved: number;
        };
      expect(await stockOf()).toMatchObject({ onHand: 1, reserved: 1 });
      const failed = await eventually(async () => {
        const o = (
          await t.get(`/v1/commerce/orders/${placed.json().id}`, { token: buyer.accessToken })
        ).json();
        expect(o.status).toBe('FAILED');
        return o;
      });
      expect(failed.failureReason).toBe('timeout');
      await settled(t);
      const cancelled = await t.dataSource.query(
        `SELECT payload FROM platform.outbox WHERE type = 'commerce.order-cancelled' AND payload->>'orderId' = $1`,
        [failed.id],
      );
      expect(cancelled).toEqual([
        { payload: { orderId: failed.id, customerId: buyer.id, reason: 'timeout' } },
      ]);
      expect(await stockOf()).toMatchObject({ onHand: 1, reserved: 0 });
    } finally {
      await t.close();
    }
  });
});
