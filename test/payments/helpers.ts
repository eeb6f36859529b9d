import type { TestApp, TestUser } from '@app/testing';

/** Payments fixture over HTTP: a vaulted card for a user. */
export async function vaultCard(t: TestApp, user: TestUser, number = '4242424242424242') {
  const res = await t.post(
    '/v1/payments/cards',
    { number, expMonth: 12, expYear: 2035, cvc: '123', holderName: user.displayName },
    { token: user.accessToken },
  );
  if (res.statusCode !== 201) throw new Error(`vault card: ${res.statusCode} ${res.body}`);
  return res.json() as { token: string };
}
