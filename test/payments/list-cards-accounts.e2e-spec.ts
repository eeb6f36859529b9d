import { createTestApp, type TestApp } from '@app/testing';
import { vaultCard } from './helpers.js';

describe('payments: GET /v1/payments/cards and GET /v1/payments/accounts (mine, cursor paged)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('lists my vaulted cards newest first: token, brand, last4, expiry — never number or fingerprint', async () => {
    const user = await t.newUser();
    const other = await t.newUser();
    const visa = await vaultCard(t, user, '4242424242424242');
    const mastercard = await vaultCard(t, user, '5555555555554444');
    await vaultCard(t, other);

    const res = await t.get('/v1/payments/cards', { token: user.accessToken });
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json();
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((c: { token: string }) => c.token)).toEqual([
      mastercard.token,
      visa.token,
    ]);
    expect(page.items[1]).toEqual({
      token: visa.token,
      brand: 'visa',
      last4: '4242',
      expMonth: 12,
      expYear: 2035,
    });
    expect(res.body).not.toMatch(/fingerprint|ciphertext|4242424242424242/);

    const first = (await t.get('/v1/payments/cards?limit=1', { token: user.accessToken })).json();
    expect(first.items.map((c: { token: string }) => c.token)).toEqual([mastercard.token]);
    const second = (
      await t.get(`/v1/payments/cards?limit=1&cursor=${first.nextCursor}`, {
        token: user.accessToken,
      })
    ).json();
    expect(second).toEqual({
      items: [expect.objectContaining({ token: visa.token })],
      nextCursor: null,
    });

    expect((await t.get('/v1/payments/cards')).statusCode).toBe(401);
    expect(
      (await t.get('/v1/payments/cards?cursor=nonsense', { token: user.accessToken })).statusCode,
    ).toBe(400);
  });

  it('lists my wallet accounts newest first with balances, in pages', async () => {
    const user = await t.newUser();
    const other = await t.newUser();
    const open = async (token: string, currency: string) =>
      (await t.post('/v1/payments/accounts', { currency }, { token })).json() as { id: string };
    const eur = await open(user.accessToken, 'EUR');
    const usd = await open(user.accessToken, 'USD');
    await open(other.accessToken, 'EUR');

    const res = await t.get('/v1/payments/accounts', { token: user.accessToken });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      items: [
        expect.objectContaining({ id: usd.id, currency: 'USD' }),
        {
          id: eur.id,
          currency: 'EUR',
          balance: { posted: 0, pending: 0, available: 0 },
          createdAt: expect.any(String),
        },
      ],
      nextCursor: null,
    });
    const first = (
      await t.get('/v1/payments/accounts?limit=1', { token: user.accessToken })
    ).json();
    expect(first.items.map((a: { id: string }) => a.id)).toEqual([usd.id]);
    const second = (
      await t.get(`/v1/payments/accounts?limit=1&cursor=${first.nextCursor}`, {
        token: user.accessToken,
      })
    ).json();
    expect(second.items.map((a: { id: string }) => a.id)).toEqual([eur.id]);
    expect(second.nextCursor).toBeNull();
    expect((await t.get('/v1/payments/accounts')).statusCode).toBe(401);
  });
});
