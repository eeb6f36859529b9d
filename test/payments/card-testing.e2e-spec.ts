import { createTestApp, type TestApp, type TestUser } from '@app/testing';
import { SANDBOX_CARDS } from '../../src/payments/processor/sandbox-processor.js';
import { settledWithSagas } from './helpers.js';

let seq = 0;
const key = () => `card-testing-${Date.now()}-${++seq}`;

/** A fresh Luhn-valid number the sandbox approves: its own fingerprint, its own windows. */
function freshCardNumber(): string {
  const body = `4111${String(Math.floor(Math.random() * 1e11)).padStart(11, '0')}`;
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return `${body}${(10 - (sum % 10)) % 10}`;
}

describe('payments: card testing (CVC guessing, tiny top-ups) and fraud windows', () => {
  let t: TestApp;

  const vault = (user: TestUser, number: string, cvc: string) =>
    t.post(
      '/v1/payments/cards',
      { number, expMonth: 12, expYear: 2035, cvc, holderName: 'Card Tester' },
      { token: user.accessToken },
    );
  const wallet = async (user: TestUser) =>
    (await t.post('/v1/payments/accounts', { currency: 'EUR' }, { token: user.accessToken })).json()
      .id as string;
  const topUp = async (user: TestUser, accountId: string, cardToken: string, amount: number) => {
    const res = await t.post(
      `/v1/payments/accounts/${accountId}/top-ups`,
      { cardToken, amount },
      { token: user.accessToken, headers: { 'idempotency-key': key() } },
    );
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; status: string; failureReason: string | null };
  };

  beforeAll(async () => {
    t = await createTestApp({ env: { PAYMENTS_POLL_INTERVAL_MS: '50' } });
  });
  afterAll(() => t.close());

  describe('vaulting: failed verifications are limited', () => {
    it('3 wrong CVCs for one card → 429 with Retry-After, for every customer, even with the right CVC', async () => {
      const [mallory, victim] = await Promise.all([t.newUser(), t.newUser()]);
      const number = freshCardNumber();
      for (let i = 0; i < 3; i++) {
        const guess = await vault(mallory, number, '000');
        expect(guess.statusCode, guess.body).toBe(402);
        expect(guess.json()).toMatchObject({ reason: 'incorrect_cvc' });
      }
      const blocked = await vault(mallory, number, '123');
      expect(blocked.statusCode, blocked.body).toBe(429);
      expect(blocked.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(blocked.json()).toMatchObject({
        status: 429,
        code: 'payments.too_many_card_attempts',
      });
      const retryAfter = Number(blocked.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(3600);
      expect(blocked.body).not.toContain(number);
      // Per card number, across customers: another account cannot carry on guessing.
      const elsewhere = await vault(victim, number, '000');
      expect(elsewhere.statusCode, elsewhere.body).toBe(429);
      // Other cards of other customers are not affected.
      expect((await vault(victim, freshCardNumber(), '123')).statusCode).toBe(201);
    });

    it('5 failed verifications by one customer (any cards) → 429 for that customer only', async () => {
      const [mallory, other] = await Promise.all([t.newUser(), t.newUser()]);
      for (let i = 0; i < 5; i++)
        expect((await vault(mallory, freshCardNumber(), '000')).statusCode).toBe(402);
      const blocked = await vault(mallory, freshCardNumber(), '123');
      expect(blocked.statusCode, blocked.body).toBe(429);
      expect(blocked.json().code).toBe('payments.too_many_card_attempts');
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      expect((await vault(other, freshCardNumber(), '123')).statusCode).toBe(201);
    });

    it('concurrent guesses cannot slip past the limit', async () => {
      const guessers = await Promise.all(Array.from({ length: 10 }, () => t.newUser()));
      const number = freshCardNumber();
      const answers = await Promise.all(guessers.map((g) => vault(g, number, '000')));
      const statuses = answers.map((a) => a.statusCode);
      expect(statuses.filter((s) => s === 402)).toHaveLength(3);
      expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    });

    it('concurrent verifications that succeed all go through (they wait, they are not refused)', async () => {
      const holders = await Promise.all(Array.from({ length: 10 }, () => t.newUser()));
      const number = freshCardNumber();
      const answers = await Promise.all(holders.map((h) => vault(h, number, '123')));
      expect(answers.map((a) => a.statusCode)).toEqual(Array(10).fill(201));
    });

    it('successful verifications do not use the allowance up', async () => {
      const user = await t.newUser();
      for (let i = 0; i < 7; i++)
        expect((await vault(user, freshCardNumber(), '123')).statusCode).toBe(201);
      expect((await vault(user, freshCardNumber(), '000')).statusCode).toBe(402);
    });
  });

  it('a burst of 1-cent top-ups is denied by the fraud rules after the third', async () => {
    const tester = await t.newUser();
    const account = await wallet(tester);
    const card = (await vault(tester, freshCardNumber(), '123')).json();
    const results: { status: string; failureReason: string | null }[] = [];
    for (let i = 0; i < 6; i++) results.push(await topUp(tester, account, card.token, 1));
    expect(results.map((r) => r.status)).toEqual([
      'COMPLETED',
      'COMPLETED',
      'COMPLETED',
      'FAILED',
      'FAILED',
      'FAILED',
    ]);
    expect(results.slice(3).every((r) => r.failureReason === 'fraud_denied')).toBe(true);
    const balance = (
      await t.get(`/v1/payments/accounts/${account}`, { token: tester.accessToken })
    ).json().balance;
    expect(balance.posted).toBe(3);
  });

  it('a top-up of a normal amount still goes through after the tiny ones were denied', async () => {
    const tester = await t.newUser();
    const account = await wallet(tester);
    const card = (await vault(tester, freshCardNumber(), '123')).json();
    for (let i = 0; i < 4; i++) await topUp(tester, account, card.token, 1);
    expect((await topUp(tester, account, card.token, 2500)).status).toBe('COMPLETED');
  });

  it('one huge denied attempt by customer A blocks neither A nor customer B with the same card number', async () => {
    const [a, b] = await Promise.all([t.newUser(), t.newUser()]);
    const number = freshCardNumber();
    const [accountA, accountB] = await Promise.all([wallet(a), wallet(b)]);
    const [cardA, cardB] = [
      (await vault(a, number, '123')).json(),
      (await vault(b, number, '123')).json(),
    ];
    const huge = await topUp(a, accountA, cardA.token, 50_000_000);
    expect(huge).toMatchObject({ status: 'FAILED', failureReason: 'fraud_denied' });
    expect((await topUp(b, accountB, cardB.token, 5000)).status).toBe('COMPLETED');
    expect((await topUp(a, accountA, cardA.token, 5000)).status).toBe('COMPLETED');
  });

  it('declined payments do not count toward the amount windows', async () => {
    const tester = await t.newUser();
    const account = await wallet(tester);
    const broke = (await vault(tester, SANDBOX_CARDS.insufficientFunds, '123')).json();
    // 5 × 1,000,000 declined: had they counted, the customer's 24 h amount (5,000,000) is used up.
    for (let i = 0; i < 5; i++)
      expect(await topUp(tester, account, broke.token, 1_000_000)).toMatchObject({
        status: 'FAILED',
        failureReason: 'insufficient_funds',
      });
    const good = (await vault(tester, freshCardNumber(), '123')).json();
    expect((await topUp(tester, account, good.token, 10_000)).status).toBe('COMPLETED');
    await settledWithSagas(t);
  });
});
