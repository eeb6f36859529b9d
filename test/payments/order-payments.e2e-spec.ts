import { OrderCancelled, OrderCreated } from '@app/contracts/commerce';
import { Transactions } from '@app/platform';
import { createTestApp, eventually, settled, type TestApp, type TestUser } from '@app/testing';
import { v7 as uuidv7 } from 'uuid';
import { SANDBOX_CARDS } from '../../src/payments/processor/sandbox-processor.js';
import { settledWithSagas } from './helpers.js';

describe('payments: order payments for commerce (the order saga’s payment service)', () => {
  let t: TestApp;
  let buyer: TestUser;
  let admin: TestUser;
  let card: { token: string };

  /** Publishes as commerce would: through the outbox, in a transaction. */
  const publish = (...events: (OrderCreated | OrderCancelled)[]) =>
    t.resolve(Transactions).run((tx) => tx.publish(...events));
  const outbox = async (type: string, orderId: string) =>
    (
      await t.dataSource.query(
        `SELECT payload FROM platform.outbox WHERE type = $1 AND payload->>'orderId' = $2`,
        [type, orderId],
      )
    ).map((r: { payload: object }) => r.payload);
  const merchantBalance = async () => {
    const [m] = await t.dataSource.query(
      `SELECT credits_posted - debits_posted AS posted FROM payments.accounts WHERE kind = 'merchant' AND currency = 'EUR'`,
    );
    return Number(m?.posted ?? 0);
  };
  const vault = async (user: TestUser, number: string) =>
    (
      await t.post(
        '/v1/payments/cards',
        { number, expMonth: 12, expYear: 2035, cvc: '321', holderName: 'Buyer' },
        { token: user.accessToken },
      )
    ).json();

  beforeAll(async () => {
    t = await createTestApp({ env: { PAYMENTS_POLL_INTERVAL_MS: '50' } });
    [buyer, admin] = await Promise.all([t.newUser(), t.newUser({ roles: ['customer', 'admin'] })]);
    card = await vault(buyer, SANDBOX_CARDS.success);
  });
  afterAll(() => t.close());

  it('charges an order once even when commerce.order-created arrives twice, and says so with the order id', async () => {
    const orderId = uuidv7();
    const created = {
      orderId,
      customerId: buyer.id,
      amount: 4999,
      currency: 'EUR',
      cardToken: card.token,
    };
    const before = await merchantBalance();
    // Two distinct events for one order (a republish): the inbox cannot dedupe these, the saga's key must.
    await publish(new OrderCreated(created));
    await publish(new OrderCreated(created));
    await eventually(async () =>
      expect(await outbox('payments.payment-succeeded', orderId)).toHaveLength(1),
    );
    const [succeeded] = await outbox('payments.payment-succeeded', orderId);
    expect(succeeded).toEqual({
      orderId,
      customerId: buyer.id,
      paymentId: expect.any(String),
      amount: 4999,
      currency: 'EUR',
    });
    await settledWithSagas(t, [orderId]);
    expect(await outbox('payments.payment-succeeded', orderId)).toHaveLength(1);
    expect(await merchantBalance()).toBe(before + 4999);
    const sagas = await t.dataSource.query(
      `SELECT state FROM payments.sagas WHERE kind = 'order_payment' AND business_key = $1`,
      [orderId],
    );
    expect(sagas).toEqual([{ state: 'COMPLETED' }]);
  });

  it('refunds a cancelled order once, through the processor and the ledger', async () => {
    const orderId = uuidv7();
    await publish(
      new OrderCreated({
        orderId,
        customerId: buyer.id,
        amount: 2500,
        currency: 'EUR',
        cardToken: card.token,
      }),
    );
    await eventually(async () =>
      expect(await outbox('payments.payment-succeeded', orderId)).toHaveLength(1),
    );
    const before = await merchantBalance();
    const cancelled = new OrderCancelled({
      orderId,
      customerId: buyer.id,
      reason: 'customer_request',
    });
    await publish(cancelled);
    await publish(
      new OrderCancelled({ orderId, customerId: buyer.id, reason: 'customer_request' }),
    );
    await eventually(async () =>
      expect(await outbox('payments.payment-refunded', orderId)).toHaveLength(1),
    );
    const [refunded] = await outbox('payments.payment-refunded', orderId);
    const [succeeded] = await outbox('payments.payment-succeeded', orderId);
    expect(refunded).toEqual({
      orderId,
      customerId: buyer.id,
      paymentId: succeeded.paymentId,
      amount: 2500,
      currency: 'EUR',
    });
    await settledWithSagas(t, [orderId]);
    expect(await outbox('payments.payment-refunded', orderId)).toHaveLength(1);
    expect(await merchantBalance()).toBe(before - 2500);
    // The card network agrees: exactly the captured amount was refunded, once.
    const [payment] = await t.dataSource.query(`SELECT data FROM payments.sagas WHERE id = $1`, [
      succeeded.paymentId,
    ]);
    const charge = JSON.parse(
      (await t.redis.get(`${t.redisPrefix}payments:sandbox:charge:${payment.data.chargeKey}`))!,
    );
    expect(charge).toMatchObject({ amount: 2500, refunded: 2500 });
  });

  it('an order cancelled before its payment arrives is never charged (events out of order)', async () => {
    const orderId = uuidv7();
    const before = await merchantBalance();
    await publish(new OrderCancelled({ orderId, customerId: buyer.id, reason: 'timeout' }));
    // The cancellation is consumed (its refund saga waits for a payment) before the order arrives.
    await settled(t);
    const [refund] = await t.dataSource.query(
      `SELECT state FROM payments.sagas WHERE kind = 'order_refund' AND business_key = $1`,
      [orderId],
    );
    expect(refund).toEqual({ state: 'PENDING' });
    await publish(
      new OrderCreated({
        orderId,
        customerId: buyer.id,
        amount: 777,
        currency: 'EUR',
        cardToken: card.token,
      }),
    );
    await eventually(async () =>
      expect(await outbox('payments.payment-failed', orderId)).toEqual([
        { orderId, customerId: buyer.id, paymentId: expect.any(String), reason: 'order_cancelled' },
      ]),
    );
    await eventually(async () => {
      const [s] = await t.dataSource.query(
        `SELECT state FROM payments.sagas WHERE kind = 'order_refund' AND business_key = $1`,
        [orderId],
      );
      expect(s?.state).toBe('COMPLETED');
    });
    await settledWithSagas(t, [orderId]);
    expect(await outbox('payments.payment-refunded', orderId)).toEqual([]);
    expect(await outbox('payments.payment-succeeded', orderId)).toEqual([]);
    expect(await merchantBalance()).toBe(before);
  });

  it.each([
    ['a declined card', SANDBOX_CARDS.declined, 'card_declined'],
    ['insufficient funds on the card', SANDBOX_CARDS.insufficientFunds, 'insufficient_funds'],
  ])('publishes payment-failed with the reason for %s', async (_, number, reason) => {
    const declined = await vault(buyer, number);
    const orderId = uuidv7();
    await publish(
      new OrderCreated({
        orderId,
        customerId: buyer.id,
        amount: 1000,
        currency: 'EUR',
        cardToken: declined.token,
      }),
    );
    await eventually(async () =>
      expect(await outbox('payments.payment-failed', orderId)).toEqual([
        { orderId, customerId: buyer.id, paymentId: expect.any(String), reason },
      ]),
    );
  });

  it('refuses to charge a card that belongs to someone else', async () => {
    const stranger = await t.newUser();
    const orderId = uuidv7();
    await publish(
      new OrderCreated({
        orderId,
        customerId: stranger.id,
        amount: 1000,
        currency: 'EUR',
        cardToken: card.token,
      }),
    );
    await eventually(async () =>
      expect(await outbox('payments.payment-failed', orderId)).toEqual([
        {
          orderId,
          customerId: stranger.id,
          paymentId: expect.any(String),
          reason: 'card_not_found',
        },
      ]),
    );
  });

  it('the ledger verifies after all of the above', async () => {
    const report = (await t.get('/v1/payments/ledger/verify', { token: admin.accessToken })).json();
    expect(report).toMatchObject({ ok: true, problems: [] });
    expect(report.transfers).toBeGreaterThan(5);
  });
});
