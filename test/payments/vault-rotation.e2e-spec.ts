import { randomBytes } from 'node:crypto';
import { createTestApp, type TestApp } from '@app/testing';
import { SANDBOX_CARDS } from '../../src/payments/processor/sandbox-processor.js';

describe('card vault key rotation', () => {
  let first: TestApp;
  afterAll(() => first.database.drop());

  it('re-encrypts every card under the new active key; cards keep working', async () => {
    const oldKey = `k1:${randomBytes(32).toString('base64')}`;
    const newKey = `k2:${randomBytes(32).toString('base64')}`;
    first = await createTestApp({ env: { PAYMENTS_VAULT_KEYS: oldKey } });
    const user = await first.newUser();
    const card = (
      await first.post(
        '/v1/payments/cards',
        { number: SANDBOX_CARDS.success, expMonth: 12, expYear: 2035, cvc: '123', holderName: 'R' },
        { token: user.accessToken },
      )
    ).json();
    const [before] = await first.dataSource.query(
      `SELECT key_id, ciphertext FROM payments.cards WHERE token = $1`,
      [card.token],
    );
    expect(before.key_id).toBe('k1');
    await first.app.close();

    // Deploy with both keys, the new one active (the last listed).
    const second = await createTestApp({
      database: first.database,
      env: { PAYMENTS_VAULT_KEYS: `${oldKey},${newKey}` },
    });
    try {
      const admin = await second.newUser({ roles: ['customer', 'admin'] });
      const res = await second.post('/v1/payments/vault/rotate', {}, { token: admin.accessToken });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ reencrypted: 1 });
      const [after] = await second.dataSource.query(
        `SELECT key_id, ciphertext FROM payments.cards WHERE token = $1`,
        [card.token],
      );
      expect(after.key_id).toBe('k2');
      expect(after.ciphertext).not.toBe(before.ciphertext);
      expect(
        (await second.post('/v1/payments/vault/rotate', {}, { token: admin.accessToken })).json(),
      ).toEqual({ reencrypted: 0 });
      // The re-encrypted card still charges (the vault decrypts it with k2).
      const login = await second.login(user.email, user.password);
      const account = (
        await second.post(
          '/v1/payments/accounts',
          { currency: 'EUR' },
          { token: login.accessToken },
        )
      ).json();
      const topUp = await second.post(
        `/v1/payments/accounts/${account.id}/top-ups`,
        { cardToken: card.token, amount: 100 },
        { token: login.accessToken, headers: { 'idempotency-key': 'rot-1' } },
      );
      expect(topUp.json().status).toBe('COMPLETED');
    } finally {
      await second.app.close();
    }
  });
});
