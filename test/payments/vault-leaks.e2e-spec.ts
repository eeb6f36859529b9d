import { getQueueToken } from '@nestjs/bullmq';
import { OrderCreated } from '@app/contracts';
import { MAINTENANCE_QUEUE, Transactions } from '@app/platform';
import { createTestApp, eventually, type TestApp } from '@app/testing';
import type { Queue } from 'bullmq';
import { Writable } from 'node:stream';
import { v7 as uuidv7 } from 'uuid';

// nestjs-pino's root logger is per process: this file's app must be the first its worker creates.
const NUMBER = '4242424242424242';
const CVC = '739';

describe('card vault: the number only as ciphertext/hash, the CVC nowhere', () => {
  let t: TestApp;
  const logs: string[] = [];

  beforeAll(async () => {
    const stream = new Writable({
      write(chunk, _enc, done) {
        logs.push(String(chunk));
        done();
      },
    });
    t = await createTestApp({
      env: { LOG_LEVEL: 'trace', PAYMENTS_POLL_INTERVAL_MS: '50' },
      logStream: stream,
    });
  });
  afterAll(() => t.close());

  it('after vaulting, a top-up and an order charge', async () => {
    const user = await t.newUser();
    const card = await t.post(
      '/v1/payments/cards',
      {
        number: '4242 4242 4242 4242',
        expMonth: 12,
        expYear: 2034,
        cvc: CVC,
        holderName: 'Leak Test',
      },
      { token: user.accessToken },
    );
    expect(card.statusCode).toBe(201);
    const account = (
      await t.post('/v1/payments/accounts', { currency: 'EUR' }, { token: user.accessToken })
    ).json();
    const topUp = await t.post(
      `/v1/payments/accounts/${account.id}/top-ups`,
      { cardToken: card.json().token, amount: 1500 },
      { token: user.accessToken, headers: { 'idempotency-key': 'leak-1' } },
    );
    expect(topUp.json().status).toBe('COMPLETED');
    const orderId = uuidv7();
    await t.resolve(Transactions).run((tx) =>
      tx.publish(
        new OrderCreated({
          orderId,
          customerId: user.id,
          amount: 900,
          currency: 'EUR',
          cardToken: card.json().token,
        }),
      ),
    );
    await eventually(async () => {
      const [s] = await t.dataSource.query(
        `SELECT state FROM payments.sagas WHERE business_key = $1`,
        [orderId],
      );
      expect(s?.state).toBe('COMPLETED');
    });
    // A job goes through BullMQ too, so job data is part of what is searched.
    await t
      .resolve<Queue>(getQueueToken(MAINTENANCE_QUEUE) as never)
      .add('purge', { kind: 'purge', correlationId: 'leak', olderThanHours: 1 });
    // And a validation error that names the card field.
    const bad = await t.post(
      '/v1/payments/cards',
      { number: '4242424242424241', expMonth: 12, expYear: 2034, cvc: CVC, holderName: 'X' },
      { token: user.accessToken },
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).not.toContain('4242424242424241');
    await new Promise((r) => setTimeout(r, 200));

    // 1. PostgreSQL: every text-like column of every table.
    const columns: { s: string; t: string; c: string }[] = await t.dataSource.query(
      `SELECT table_schema s, table_name t, column_name c FROM information_schema.columns
        WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND data_type IN ('text', 'character varying', 'character', 'jsonb', 'json', 'bytea')`,
    );
    expect(columns.length).toBeGreaterThan(20);
    const dbHits: string[] = [];
    for (const { s, t: table, c } of columns) {
      const [{ n }] = await t.dataSource.query(
        `SELECT count(*)::int n FROM "${s}"."${table}" WHERE "${c}"::text LIKE $1 OR "${c}"::text ~ $2 OR "${c}"::text ILIKE '%"cvc"%'`,
        [`%${NUMBER}%`, `(^|[^0-9a-zA-Z])${CVC}([^0-9a-zA-Z]|$)`],
      );
      if (n > 0) dbHits.push(`${s}.${table}.${c}`);
    }
    expect(dbHits).toEqual([]);
    // Positive control: the same search does find what is meant to be stored (the last four digits).
    const [{ n: last4Hits }] = await t.dataSource.query(
      `SELECT count(*)::int n FROM payments.cards WHERE last4::text LIKE $1`,
      [`%${NUMBER.slice(-4)}%`],
    );
    expect(last4Hits).toBe(1);
    const [vaulted] = await t.dataSource.query(
      `SELECT ciphertext, fingerprint, key_id, last4 FROM payments.cards`,
    );
    expect(vaulted).toMatchObject({ last4: '4242', key_id: 'dev1' });
    expect(Buffer.from(vaulted.ciphertext, 'base64').length).toBe(12 + 16 + 16); // iv + tag + 16 digits

    // 2. Redis: every key of this app (cache, idempotency, fraud windows, sandbox books, BullMQ jobs).
    const redis = t.redis;
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${t.redisPrefix}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    expect(keys.some((k) => k.includes(':bull:platform.messaging-maintenance:'))).toBe(true);
    const redisHits: string[] = [];
    for (const key of keys) {
      const type = await redis.type(key);
      const dump =
        type === 'string'
          ? await redis.get(key)
          : type === 'hash'
            ? JSON.stringify(await redis.hgetall(key))
            : type === 'zset'
              ? JSON.stringify(await redis.zrange(key, 0, -1))
              : type === 'list'
                ? JSON.stringify(await redis.lrange(key, 0, -1))
                : type === 'set'
                  ? JSON.stringify(await redis.smembers(key))
                  : type === 'stream'
                    ? JSON.stringify(await redis.xrange(key, '-', '+'))
                    : '';
      if (
        key.includes(NUMBER) ||
        dump?.includes(NUMBER) ||
        /"cvc"/i.test(dump ?? '') ||
        new RegExp(`"${CVC}"`).test(dump ?? '')
      )
        redisHits.push(key);
    }
    expect(redisHits).toEqual([]);

    // 3. Logs: plenty were written (trace level), none holds the number or the CVC.
    const all = logs.join('');
    expect(logs.length).toBeGreaterThan(10);
    expect(all).toContain('/v1/payments/cards');
    expect(all).not.toContain(NUMBER);
    expect(all).not.toMatch(new RegExp(`"${CVC}"`));
    expect(all).not.toMatch(/"cvc"\s*:\s*"\d/);
  });
});
