import { createTestApp, eventually, type TestApp, type TestUser } from '@app/testing';
import { settledWithSagas, vaultCard } from '../payments/helpers.js';
import { checkout, newProduct } from './helpers.js';

describe('commerce: GET /v1/commerce/orders (my orders, cursor paged, by status)', () => {
  let t: TestApp;
  let admin: TestUser;

  const list = (user: TestUser, query = '') =>
    t.get(`/v1/commerce/orders${query}`, { token: user.accessToken });

  beforeAll(async () => {
    t = await createTestApp({ env: { PAYMENTS_POLL_INTERVAL_MS: '100' } });
    admin = await t.newUser({ roles: ['customer', 'admin'] });
  });
  afterAll(() => t.close());

  it('lists only my orders, newest first, in cursor pages, filtered by status; admins see all', async () => {
    const buyer = await t.newUser();
    const other = await t.newUser();
    const good = await vaultCard(t, buyer);
    const otherCard = await vaultCard(t, other);
    const product = await newProduct(t, admin, { price: 1000, stock: 20 });
    const item = [{ productId: product.id, quantity: 1 }];

    const placed: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await checkout(t, buyer, good.token, item);
      expect(res.statusCode, res.body).toBe(202);
      placed.push(res.json().id);
      await eventually(async () => {
        const o = (
          await t.get(`/v1/commerce/orders/${res.json().id}`, { token: buyer.accessToken })
        ).json();
        expect(o.status).toBe('CONFIRMED');
      });
    }
    const theirs = (await checkout(t, other, otherCard.token, item)).json().id as string;
    await settledWithSagas(t);

    const first = await list(buyer, '?limit=2');
    expect(first.statusCode, first.body).toBe(200);
    const page1 = first.json();
    expect(page1.items.map((o: { id: string }) => o.id)).toEqual([placed[2], placed[1]]);
    expect(page1.items[0]).toMatchObject({
      customerId: buyer.id,
      status: 'CONFIRMED',
      total: 1000,
      currency: 'EUR',
      lines: [{ productId: product.id, quantity: 1, unitPrice: 1000 }],
    });
    expect(page1.items[0]).not.toHaveProperty('cardToken');
    expect(page1.items[0]).not.toHaveProperty('idempotencyKey');
    expect(page1.nextCursor).toEqual(expect.any(String));
    const page2 = (await list(buyer, `?limit=2&cursor=${page1.nextCursor}`)).json();
    expect(page2).toEqual({
      items: [expect.objectContaining({ id: placed[0] })],
      nextCursor: null,
    });

    expect((await list(buyer, '?status=CONFIRMED')).json().items).toHaveLength(3);
    expect((await list(buyer, '?status=FAILED')).json().items).toEqual([]);
    expect((await list(buyer, '?status=SHIPPED')).statusCode).toBe(400);
    expect((await list(buyer, '?cursor=nonsense')).statusCode).toBe(400);

    const all = (await list(admin, '?limit=100')).json().items.map((o: { id: string }) => o.id);
    expect(all).toEqual(expect.arrayContaining([...placed, theirs]));
    expect((await list(other)).json().items.map((o: { id: string }) => o.id)).toEqual([theirs]);
    expect((await t.get('/v1/commerce/orders')).statusCode).toBe(401);
  });
});
