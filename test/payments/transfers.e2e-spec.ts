import { Metrics } from '@app/platform';
import { createTestApp, eventually, type TestApp, type TestUser } from '@app/testing';
import { v7 as uuidv7 } from 'uuid';
import { SANDBOX_CARDS } from '../../src/payments/processor/sandbox-processor.js';
import { SagaFaults } from '../../src/payments/transfers/saga-faults.js';

let seq = 0;
const key = () => `key-${Date.now()}-${++seq}`;

async function setup(t: TestApp, user: TestUser, funds = 0) {
  const account = (
    await t.post('/v1/payments/accounts', { currency: 'EUR' }, { token: user.accessToken })
  ).json();
  const card = (
    await t.post(
      '/v1/payments/cards',
      {
        number: SANDBOX_CARDS.success,
        expMonth: 12,
        expYear: 2035,
        cvc: '123',
        holderName: 'Test',
      },
      { token: user.accessToken },
    )
  ).json();
  if (funds > 0) {
    const topUp = await t.post(
      `/v1/payments/accounts/${account.id}/top-ups`,
      { cardToken: card.token, amount: funds },
      { token: user.accessToken, headers: { 'idempotency-key': key() } },
    );
    expect(topUp.json().status).toBe('COMPLETED');
  }
  return { account, card };
}

/** The wallet-transfer batches so far: how many, and how many transfers they held. */
async function batchStats(metrics: Metrics) {
  const { values } = await metrics.groupCommitBatch.get();
  const of = (name: string) =>
    values.find((v) => v.metricName === name && v.labels.batch === 'wallet_transfers')?.value ?? 0;
  return {
    sum: of('five_group_commit_batch_size_sum'),
    count: of('five_group_commit_batch_size_count'),
  };
}

const balance = async (t: TestApp, user: TestUser, id: string) =>
  (await t.get(`/v1/payments/accounts/${id}`, { token: user.accessToken })).json().balance;

describe('payments: accounts, top-ups and transfers over HTTP', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let admin: TestUser;
  let aliceAccount: { id: string };
  let bobAccount: { id: string };
  let aliceCard: { token: string };

  const transfer = (body: object, idempotencyKey = key(), user = alice) =>
    t.post('/v1/payments/transfers', body, {
      token: user.accessToken,
      headers: { 'idempotency-key': idempotencyKey },
    });
  const outbox = (type: string) =>
    t.dataSource.query(`SELECT payload FROM platform.outbox WHERE type = $1 ORDER BY id`, [type]);

  beforeAll(async () => {
    t = await createTestApp({
      env: { PAYMENTS_SAGA_LEASE_MS: '300', PAYMENTS_POLL_INTERVAL_MS: '50' },
    });
    [alice, bob, admin] = await Promise.all([
      t.newUser(),
      t.newUser(),
      t.newUser({ roles: ['customer', 'admin'] }),
    ]);
    ({ account: aliceAccount, card: aliceCard } = await setup(t, alice, 100_000));
    ({ account: bobAccount } = await setup(t, bob));
  });
  afterAll(() => t.close());

  it('tops up from a card and shows posted, pending and available balances', async () => {
    expect(await balance(t, alice, aliceAccount.id)).toEqual({
      posted: 100_000,
      pending: 0,
      available: 100_000,
    });
  });

  it('vaults a card: token, brand and last4 — never the number', async () => {
    const res = await t.post(
      '/v1/payments/cards',
      { number: '5555 5555 5555 4444', expMonth: 1, expYear: 2031, cvc: '456', holderName: 'A' },
      { token: alice.accessToken },
    );
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({
      token: expect.stringMatching(/^tok_/),
      brand: 'mastercard',
      last4: '4444',
      expMonth: 1,
      expYear: 2031,
    });
    expect(res.body).not.toContain('5555555555554444');
  });

  it.each([
    [{ number: '4242424242424241' }, 'payments.card_invalid', 'number'],
    [{ expMonth: 1, expYear: 2020 }, 'payments.card_expired', 'expYear'],
    [{ cvc: '12' }, 'platform.validation_failed', 'cvc'],
    // Bounded as typed, not only once the separators are dropped: 33+ characters are refused.
    [
      { number: `${SANDBOX_CARDS.success}${' '.repeat(17)}` },
      'platform.validation_failed',
      'number',
    ],
  ])('rejects a bad card %j with a 400 naming the field', async (override, code, field) => {
    const res = await t.post(
      '/v1/payments/cards',
      {
        number: SANDBOX_CARDS.success,
        expMonth: 12,
        expYear: 2035,
        cvc: '123',
        holderName: 'X',
        ...override,
      },
      { token: alice.accessToken },
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe(code);
    expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(res.body).not.toContain('4242424242424241');
  });

  it('moves money between accounts: COMPLETED, with its step history and a transfer-completed event', async () => {
    const res = await transfer({
      fromAccountId: aliceAccount.id,
      toAccountId: bobAccount.id,
      amount: 2500,
      currency: 'EUR',
      reference: 'dinner',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      status: 'COMPLETED',
      amount: 2500,
      reference: 'dinner',
      failureReason: null,
    });
    const view = (
      await t.get(`/v1/payments/transfers/${res.json().id}`, { token: alice.accessToken })
    ).json();
    expect(view.history.map((h: { event: string }) => h.event)).toEqual([
      'started',
      'fraud_checked',
      'completed',
    ]);
    // Wallet to wallet is one posted ledger transfer: no hold to place and post.
    const moves = await t.dataSource.query(
      `SELECT kind, amount::int FROM payments.transfers WHERE saga_id = $1`,
      [res.json().id],
    );
    expect(moves).toEqual([{ kind: 'single', amount: 2500 }]);
    expect(await balance(t, bob, bobAccount.id)).toEqual({
      posted: 2500,
      pending: 0,
      available: 2500,
    });
    expect(
      (await outbox('payments.transfer-completed')).map(
        (r: { payload: { transferId: string } }) => r.payload.transferId,
      ),
    ).toContain(res.json().id);
  });

  it('fails on insufficient funds without moving anything, and says why', async () => {
    const res = await transfer(
      {
        fromAccountId: bobAccount.id,
        toAccountId: aliceAccount.id,
        amount: 999_999,
        currency: 'EUR',
      },
      key(),
      bob,
    );
    expect(res.json()).toMatchObject({ status: 'FAILED', failureReason: 'insufficient_funds' });
    const failed = (await outbox('payments.transfer-failed')).map(
      (r: { payload: { transferId: string; reason: string } }) => r.payload,
    );
    expect(failed).toContainEqual(
      expect.objectContaining({ transferId: res.json().id, reason: 'insufficient_funds' }),
    );
  });

  it('answers 404 for accounts and transfers of others', async () => {
    expect(
      (
        await transfer({
          fromAccountId: bobAccount.id,
          toAccountId: aliceAccount.id,
          amount: 1,
          currency: 'EUR',
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (await t.get(`/v1/payments/accounts/${bobAccount.id}`, { token: alice.accessToken }))
        .statusCode,
    ).toBe(404);
    expect(
      (await t.get(`/v1/payments/accounts/${bobAccount.id}/entries`, { token: alice.accessToken }))
        .statusCode,
    ).toBe(404);
    const mine = (
      await transfer({
        fromAccountId: aliceAccount.id,
        toAccountId: bobAccount.id,
        amount: 1,
        currency: 'EUR',
      })
    ).json();
    expect(
      (await t.get(`/v1/payments/transfers/${mine.id}`, { token: bob.accessToken })).statusCode,
    ).toBe(404);
  });

  it('lists the statement newest first with cursor pagination', async () => {
    const first = (
      await t.get(`/v1/payments/accounts/${aliceAccount.id}/entries?limit=2`, {
        token: alice.accessToken,
      })
    ).json();
    expect(first.items).toHaveLength(2);
    expect(first.items[0].version).toBeGreaterThan(first.items[1].version);
    const next = (
      await t.get(
        `/v1/payments/accounts/${aliceAccount.id}/entries?limit=2&cursor=${first.nextCursor}`,
        { token: alice.accessToken },
      )
    ).json();
    expect(next.items[0].version).toBe(first.items[1].version - 1);
  });

  it('turns 50 concurrent identical requests into exactly one transfer; replays are byte-identical; a different body → 422', async () => {
    const body = {
      fromAccountId: aliceAccount.id,
      toAccountId: bobAccount.id,
      amount: 111,
      currency: 'EUR',
      reference: 'storm',
    };
    const k = key();
    const results = await Promise.all(Array.from({ length: 50 }, () => transfer(body, k)));
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int n FROM payments.sagas WHERE business_key = $1`,
      [`${alice.id}:storm`],
    );
    expect(n).toBe(1);
    const [{ m }] = await t.dataSource.query(
      `SELECT count(*)::int m FROM payments.transfers t JOIN payments.sagas s ON s.id = t.saga_id WHERE s.business_key = $1`,
      [`${alice.id}:storm`],
    );
    expect(m).toBe(1);
    const created = results.filter((r) => r.statusCode === 201);
    expect(results.every((r) => r.statusCode === 201 || r.statusCode === 409)).toBe(true);
    const replay = await transfer(body, k);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const original = created.find((r) => r.headers['idempotent-replayed'] === undefined)!;
    expect(replay.body).toBe(original.body);
    expect((await transfer({ ...body, amount: 112 }, k)).statusCode).toBe(422);
  });

  it('commits the money, the saga and its event together: an event that cannot be written moves nothing, and the retry moves it once', async () => {
    const before = await balance(t, alice, aliceAccount.id);
    // The outbox refuses this transfer's completed event, the transaction's last write.
    await t.dataSource.query(`
      CREATE FUNCTION public.refuse_701_transfer_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.type = 'payments.transfer-completed' AND (NEW.payload->>'amount')::int = 701 THEN
          RAISE EXCEPTION 'outbox refused (test)';
        END IF;
        RETURN NEW;
      END $$`);
    await t.dataSource.query(
      `CREATE TRIGGER refuse_701 BEFORE INSERT ON platform.outbox FOR EACH ROW EXECUTE FUNCTION public.refuse_701_transfer_event()`,
    );
    const body = {
      fromAccountId: aliceAccount.id,
      toAccountId: bobAccount.id,
      amount: 701,
      currency: 'EUR',
      reference: 'all-or-nothing',
    };
    const k = key();
    let refused;
    try {
      refused = await transfer(body, k);
    } finally {
      await t.dataSource.query(`DROP TRIGGER refuse_701 ON platform.outbox`);
      await t.dataSource.query(`DROP FUNCTION public.refuse_701_transfer_event()`);
    }
    expect(refused.statusCode).toBe(500);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    const sagas = () =>
      t.dataSource.query(`SELECT id, state FROM payments.sagas WHERE business_key = $1`, [
        `${alice.id}:all-or-nothing`,
      ]);
    expect(await sagas()).toEqual([]);
    expect(await balance(t, alice, aliceAccount.id)).toEqual(before);

    const retried = await transfer(body, k);
    expect(retried.statusCode, retried.body).toBe(201);
    expect(retried.json().status).toBe('COMPLETED');
    const [saga] = await sagas();
    expect(saga.state).toBe('COMPLETED');
    const moves = await t.dataSource.query(
      `SELECT kind, count(*)::int n FROM payments.transfers WHERE saga_id = $1 GROUP BY kind`,
      [saga.id],
    );
    expect(moves).toEqual([{ kind: 'single', n: 1 }]);
    expect((await balance(t, alice, aliceAccount.id)).posted).toBe(before.posted - 701);
  });

  describe('card top-ups through the processor', () => {
    async function topUpWith(number: string, amount = 1000) {
      const vaulted = await t.post(
        '/v1/payments/cards',
        { number, expMonth: 12, expYear: 2035, cvc: '123', holderName: 'T' },
        { token: alice.accessToken },
      );
      expect(vaulted.statusCode, vaulted.body).toBe(201);
      const card = vaulted.json();
      const res = await t.post(
        `/v1/payments/accounts/${aliceAccount.id}/top-ups`,
        { cardToken: card.token, amount },
        { token: alice.accessToken, headers: { 'idempotency-key': key() } },
      );
      expect(res.statusCode, res.body).toBe(201);
      return res.json();
    }
    const finalState = (id: string) =>
      eventually(async () => {
        const v = (
          await t.get(`/v1/payments/transfers/${id}`, { token: alice.accessToken })
        ).json();
        expect(v.status).not.toBe('PENDING');
        return v;
      });

    it('a decline voids the hold and fails with the reason', async () => {
      const before = await balance(t, alice, aliceAccount.id);
      const topUp = await finalState((await topUpWith(SANDBOX_CARDS.declined)).id);
      expect(topUp).toMatchObject({ status: 'FAILED', failureReason: 'card_declined' });
      expect(topUp.history.map((h: { event: string }) => h.event)).toEqual([
        'started',
        'fraud_checked',
        'held',
        'charge_declined',
        'failed',
      ]);
      expect(await balance(t, alice, aliceAccount.id)).toEqual(before);
      const failed = (await outbox('payments.transfer-failed')).map(
        (r: { payload: { transferId: string; reason: string } }) => r.payload,
      );
      expect(failed).toContainEqual(
        expect.objectContaining({ transferId: topUp.id, reason: 'card_declined' }),
      );
    });

    it('a timeout whose charge went through: the status lookup finds it and the top-up completes', async () => {
      const topUp = await finalState((await topUpWith(SANDBOX_CARDS.timeout, 1234)).id);
      expect(topUp.status).toBe('COMPLETED');
      expect(topUp.history.map((h: { event: string }) => h.event)).toEqual([
        'started',
        'fraud_checked',
        'held',
        'charge_timeout',
        'charge_confirmed',
        'completed',
      ]);
    });

    it('a timeout whose charge never happened: the lookup finds nothing, it is resent with the same key, then the hold is voided', async () => {
      const before = await balance(t, alice, aliceAccount.id);
      const topUp = await finalState((await topUpWith(SANDBOX_CARDS.timeoutNotCaptured)).id);
      expect(topUp).toMatchObject({ status: 'FAILED', failureReason: 'processor_timeout' });
      const events = topUp.history.map((h: { event: string }) => h.event);
      // Resent with the same key, a bounded number of times, before giving up and releasing the hold.
      expect(events.filter((e: string) => e === 'charge_timeout')).toHaveLength(3);
      expect(events.filter((e: string) => e === 'charge_not_found')).toHaveLength(2);
      expect(events.slice(-2)).toEqual(['charge_not_captured', 'failed']);
      expect(await balance(t, alice, aliceAccount.id)).toEqual(before);
    });

    it('fraud rules deny an oversized payment before anything is held', async () => {
      // Its own customer: this 5M attempt counts in the velocity windows of whoever makes it.
      const carol = await t.newUser();
      const { account, card } = await setup(t, carol);
      const res = await t.post(
        `/v1/payments/accounts/${account.id}/top-ups`,
        { cardToken: card.token, amount: 5_000_000 },
        { token: carol.accessToken, headers: { 'idempotency-key': key() } },
      );
      expect(res.json()).toMatchObject({ status: 'FAILED', failureReason: 'fraud_denied' });
      expect(res.json().history.map((h: { event: string }) => h.event)).toEqual([
        'started',
        'failed',
      ]);
      const [decision] = await t.dataSource.query(
        `SELECT verdict, score, rules FROM payments.fraud_decisions WHERE saga_id = $1`,
        [res.json().id],
      );
      expect(decision).toMatchObject({
        verdict: 'deny',
        score: 90,
        rules: expect.arrayContaining([
          expect.objectContaining({ id: 'single-payment-limit', verdict: 'deny' }),
        ]),
      });
    });
  });

  it('the reaper voids an expired hold and wakes its saga, which compensates', async () => {
    const before = await balance(t, alice, aliceAccount.id);
    const faults = t.resolve(SagaFaults);
    faults.crashAfter = 'hold';
    // A top-up (a wallet transfer has no hold): its reference is its Idempotency-Key.
    const stalled = key();
    const res = await t.post(
      `/v1/payments/accounts/${aliceAccount.id}/top-ups`,
      { cardToken: aliceCard.token, amount: 50 },
      { token: alice.accessToken, headers: { 'idempotency-key': stalled } },
    );
    expect(res.statusCode, res.body).toBe(500);
    expect(faults.crashAfter).toBeUndefined();
    const [saga] = await t.dataSource.query(
      `SELECT id, data FROM payments.sagas WHERE kind = 'top_up' AND business_key = $1`,
      [`${alice.id}:top-up:${stalled}`],
    );
    // The stalled runner keeps its lease a while; meanwhile the hold outlives its timeout.
    await t.dataSource.query(
      `UPDATE payments.sagas SET lease_until = now() + interval '1 hour' WHERE id = $1`,
      [saga.id],
    );
    await t.dataSource.query(
      `UPDATE payments.transfers SET timeout_at = now() - interval '1 second' WHERE id = $1`,
      [saga.data.holdId],
    );
    await eventually(async () => {
      const [v] = await t.dataSource.query(
        `SELECT kind FROM payments.transfers WHERE pending_id = $1`,
        [saga.data.holdId],
      );
      expect(v?.kind).toBe('void_pending');
    });
    await t.dataSource.query(`UPDATE payments.sagas SET lease_until = NULL WHERE id = $1`, [
      saga.id,
    ]);
    const view = await eventually(async () => {
      const v = (
        await t.get(`/v1/payments/transfers/${saga.id}`, { token: alice.accessToken })
      ).json();
      expect(v.status).toBe('FAILED');
      return v;
    });
    expect(view.failureReason).toBe('hold_expired');
    expect(view.history.map((h: { event: string }) => h.event)).toEqual(
      expect.arrayContaining(['held', 'hold_expired', 'failed']),
    );
    expect(await balance(t, alice, aliceAccount.id)).toEqual(before);
  });

  it('concurrent transfers share transactions (group commit); each keeps its own outcome and event, and none overdraws', async () => {
    const carol = await t.newUser();
    const { account: carolAccount } = await setup(t, carol, 1_000);
    const metrics = t.resolve(Metrics);
    const batchesBefore = await batchStats(metrics);
    const sent = Array.from({ length: 24 }, () => ({ key: key(), correlationId: uuidv7() }));
    const answers = await Promise.all(
      sent.map(({ key: k, correlationId }) =>
        t.post(
          '/v1/payments/transfers',
          {
            fromAccountId: carolAccount.id,
            toAccountId: bobAccount.id,
            amount: 100,
            currency: 'EUR',
          },
          {
            token: carol.accessToken,
            headers: { 'idempotency-key': k, 'x-correlation-id': correlationId },
          },
        ),
      ),
    );
    expect(answers.map((a) => a.statusCode)).toEqual(answers.map(() => 201));
    const outcomes = answers.map((a) => a.json());
    expect(outcomes.filter((o) => o.status === 'COMPLETED')).toHaveLength(10);
    expect(outcomes.filter((o) => o.status === 'FAILED').map((o) => o.failureReason)).toEqual(
      Array(14).fill('insufficient_funds'),
    );
    expect(await balance(t, carol, carolAccount.id)).toEqual({
      posted: 0,
      pending: 0,
      available: 0,
    });
    // Some of them shared a batch.
    const batchesAfter = await batchStats(metrics);
    const items = batchesAfter.sum - batchesBefore.sum;
    const batches = batchesAfter.count - batchesBefore.count;
    expect(items).toBe(24);
    expect(batches).toBeLessThan(24);
    // Each outcome event carries the correlation id of the request it answers.
    const rows: { correlation_id: string; transfer_id: string }[] = await t.dataSource.query(
      `SELECT correlation_id, payload->>'transferId' AS transfer_id FROM platform.outbox
        WHERE type IN ('payments.transfer-completed', 'payments.transfer-failed') AND payload->>'transferId' = ANY($1)`,
      [outcomes.map((o) => o.id)],
    );
    expect(rows).toHaveLength(24);
    const sentFor = new Map(outcomes.map((o, i) => [o.id, sent[i]!.correlationId]));
    for (const r of rows) expect(r.correlation_id).toBe(sentFor.get(r.transfer_id));
  });

  it('the ledger verifies after all of the above', async () => {
    const report = (await t.get('/v1/payments/ledger/verify', { token: admin.accessToken })).json();
    expect(report).toMatchObject({ ok: true, problems: [] });
  });
});
