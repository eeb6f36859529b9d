import { getQueueToken } from '@nestjs/bullmq';
import { OrderCreated } from '@app/contracts/commerce';
import { MAINTENANCE_QUEUE, Transactions } from '@app/platform';
import { createTestApp, eventually, type TestApp } from '@app/testing';
import type { Queue } from 'bullmq';
import { execFile } from 'node:child_process';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { v7 as uuidv7 } from 'uuid';
import { PaymentsConfig } from '../../src/payments/payments.config.js';
import { settledWithSagas } from './helpers.js';

const NUMBER = '4242424242424242';
const CVC = '739';
/** Every card number exactly as it was sent: with spaces, with dashes, a rejected one as is. */
const SENT_NUMBERS = ['4242 4242 4242 4242', '5555-5555-5555-4444', '4242424242424241'];
const SENT_CVCS = [CVC, '8153'];

interface Needle {
  what: string;
  pattern: RegExp;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const hex = (s: string) => Buffer.from(s).toString('hex');

/**
 * `value` base64-encoded at any offset in a longer string: for each of the 3 alignments, the
 * characters that depend on `value`'s bytes only (the edges also depend on their neighbours).
 */
function base64Anywhere(value: string): string[] {
  return [0, 1, 2].map((pad) => {
    const encoded = Buffer.from('\0'.repeat(pad) + value).toString('base64');
    return encoded.slice(Math.ceil((8 * pad) / 6), Math.floor((8 * (pad + value.length)) / 6));
  });
}

/**
 * A card number in any form: its digits with or without separators (space, dash, dot, `%20`,
 * `+`, a JSON `\u00XX` escape per digit), and each sent form and the bare digits hex- or
 * base64-encoded.
 */
function numberNeedles(sent: string): Needle[] {
  const digits = sent.replace(/\D/g, '');
  const digit = (d: string) => `(?:${d}|\\\\u003${d})`;
  const needles: Needle[] = [
    {
      what: `${sent} (any separators or escapes)`,
      pattern: new RegExp([...digits].map(digit).join('(?:[\\s.-]|%20|\\+)?')),
    },
  ];
  for (const form of new Set([sent, digits])) {
    needles.push({ what: `${form} as hex`, pattern: new RegExp(hex(form), 'i') });
    for (const b64 of base64Anywhere(form))
      needles.push({ what: `${form} as base64`, pattern: new RegExp(escape(b64)) });
  }
  return needles;
}

/**
 * A CVC: any `cvc` key (JSON, escaped JSON, form-encoded), and the digits as a quoted or
 * tab-separated value (a JSON string, a COPY column), or standalone hex or base64. A bare
 * number in a log could be a duration (`"responseTime":739`), so bare digits are not matched.
 */
function cvcNeedles(cvc: string): Needle[] {
  const b64 = Buffer.from(cvc).toString('base64').replace(/=+$/, '');
  return [
    { what: 'a cvc field', pattern: /\\*["']cvc\\*["']\s*:|\bcvc=/i },
    { what: `${cvc} quoted`, pattern: new RegExp(`(\\\\?["'])${cvc}\\1`) },
    { what: `${cvc} as a column value`, pattern: new RegExp(`(^|\\t)${cvc}(\\t|$)`, 'm') },
    {
      what: `${cvc} as hex`,
      pattern: new RegExp(`(^|[^0-9a-f])${hex(cvc)}([^0-9a-f]|$)`, 'i'),
    },
    {
      what: `${cvc} as base64`,
      pattern: new RegExp(`(^|[^A-Za-z0-9+/])${escape(b64)}(=*)([^A-Za-z0-9+/=]|$)`),
    },
  ];
}

const NEEDLES: Needle[] = [
  ...SENT_NUMBERS.flatMap(numberNeedles),
  ...SENT_CVCS.flatMap(cvcNeedles),
];

/** What of the card data `text` holds, by needle (empty: nothing). */
const leaks = (text: string) => NEEDLES.filter((n) => n.pattern.test(text)).map((n) => n.what);

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

  it('the search finds the card data in every form it looks for, and not in what is innocent', () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    for (const number of SENT_NUMBERS) {
      const digits = number.replace(/\D/g, '');
      const body = JSON.stringify({ number, cvc: '000' }).replace('"cvc":"000"', '"x":1');
      for (const sample of [
        number,
        digits,
        `card ${encodeURIComponent(number)} end`,
        JSON.stringify(JSON.stringify({ number })),
        [...digits].map((d) => `\\u003${d}`).join(''),
        hex(number),
        hex(digits).toUpperCase(),
        b64(body),
        b64(`x${body}`),
        b64(`xy${digits}`),
      ])
        expect(leaks(sample), sample).not.toEqual([]);
    }
    for (const cvc of SENT_CVCS)
      for (const sample of [
        `{"cvc":${cvc}}`,
        JSON.stringify(JSON.stringify({ code: cvc })),
        `a=1&cvc=${cvc}`,
        `'${cvc}'`,
        `x\t${cvc}\ty`,
        `"${hex(cvc)}"`,
        `{"v":"${b64(cvc)}"}`,
      ])
        expect(leaks(sample), sample).not.toEqual([]);
    expect(
      leaks(
        `{"responseTime":739,"time":"2026-01-01T12:00:00.739Z","id":"0190a739-8153-7000-8000-000000000000","last4":"4242","amount":8153}`,
      ),
    ).toEqual([]);
  });

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
    const dashed = await t.post(
      '/v1/payments/cards',
      {
        number: SENT_NUMBERS[1],
        expMonth: 11,
        expYear: 2033,
        cvc: SENT_CVCS[1],
        holderName: 'Leak Test',
      },
      { token: user.accessToken },
    );
    expect(dashed.statusCode).toBe(201);
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
      { number: SENT_NUMBERS[2], expMonth: 12, expYear: 2034, cvc: CVC, holderName: 'X' },
      { token: user.accessToken },
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).not.toContain('4242424242424241');
    // Everything the requests set off has run (events, sagas, jobs): nothing more will be written.
    await settledWithSagas(t);

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
    // The whole database as pg_dump writes it (every column type, bytea as hex), in every form.
    const { stdout: dump } = await promisify(execFile)(
      'pg_dump',
      ['--no-owner', '--no-privileges', t.database.url],
      { maxBuffer: 256 * 1024 * 1024 },
    );
    expect(dump).toContain('COPY payments.cards');
    expect(leaks(dump)).toEqual([]);
    // Positive control: the same search does find what is meant to be stored (the last four digits).
    const [{ n: last4Hits }] = await t.dataSource.query(
      `SELECT count(*)::int n FROM payments.cards WHERE last4::text LIKE $1`,
      [`%${NUMBER.slice(-4)}%`],
    );
    expect(last4Hits).toBe(1);
    const [vaulted] = await t.dataSource.query(
      `SELECT ciphertext, fingerprint, key_id, last4 FROM payments.cards WHERE last4 = '4242'`,
    );
    // Under the active key: the last of the installation's keyring.
    const activeKey = [...t.resolve(PaymentsConfig).vaultKeys.keys()].at(-1);
    expect(vaulted).toMatchObject({ last4: '4242', key_id: activeKey });
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
      for (const what of [...leaks(key), ...leaks(dump ?? '')]) redisHits.push(`${key}: ${what}`);
    }
    expect(redisHits).toEqual([]);
    // Job data: every job of every queue, as BullMQ hands it to a worker.
    const jobs = await t
      .resolve<Queue>(getQueueToken(MAINTENANCE_QUEUE) as never)
      .getJobs(['completed', 'failed', 'waiting', 'active', 'delayed']);
    expect(jobs.some((j) => j.data.correlationId === 'leak')).toBe(true);
    expect(jobs.flatMap((j) => leaks(JSON.stringify(j)))).toEqual([]);

    // 3. Logs: plenty were written (trace level), none holds the number or the CVC.
    const all = logs.join('');
    expect(logs.length).toBeGreaterThan(10);
    expect(all).toContain('/v1/payments/cards');
    expect(all).not.toContain(NUMBER);
    expect(all).not.toMatch(new RegExp(`"${CVC}"`));
    expect(all).not.toMatch(/"cvc"\s*:\s*"\d/);
    expect(leaks(all)).toEqual([]);
  });
});
