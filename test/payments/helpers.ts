import { settled, type SettledOptions, type TestApp, type TestUser } from '@app/testing';

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

/**
 * How many payment sagas are still running (state PENDING), for `settled(t, { also })`: those
 * of the given business keys (order ids, `<owner>:<reference>`), or all.
 */
export function runningSagas(t: TestApp, businessKeys?: string[]): () => Promise<number> {
  return async () =>
    (
      await t.dataSource.query(
        `SELECT count(*)::int AS n FROM payments.sagas
          WHERE state = 'PENDING' AND ($1::text[] IS NULL OR business_key = ANY($1))`,
        [businessKeys ?? null],
      )
    )[0].n as number;
}

/** `settled(t)`, and the payment sagas of these business keys (or all) have finished. */
export const settledWithSagas = (
  t: TestApp,
  businessKeys?: string[],
  options: Omit<SettledOptions, 'also'> = {},
) => settled(t, { ...options, also: { 'payments.sagas PENDING': runningSagas(t, businessKeys) } });
