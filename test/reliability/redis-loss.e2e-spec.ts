import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  buildServer,
  destroyFaultLab,
  startPrivatePostgres,
  startPrivateRedis,
  startServer,
  type PrivateServer,
  type ServerProcess,
} from '../../libs/testing/fault-lab.js';
import { awaitInvariants } from '../../libs/testing/invariants.js';
import { startSmtpSink, type SmtpSink } from '../../libs/testing/smtp-sink.js';

/**
 * Issue #11 §2: Redis killed with SIGKILL under a load of transfers and orders, and restarted
 * EMPTY (its append-only file deleted). While it is down requests fail closed and fast (503
 * problem+json); afterwards replaying every Idempotency-Key that got a 2xx answers the same
 * transfer or order without a second effect (the database decides: the replay cache is gone);
 * the delivery jobs Redis lost are re-created from PostgreSQL by the sweeper, so every
 * notification is sent exactly once; the messaging-maintenance schedule comes back by itself;
 * the product cache refills; and the invariants hold. Plus the boot check: a Redis whose
 * maxmemory-policy evicts is refused unless REDIS_ALLOW_EVICTION=true.
 */
const CUSTOMERS = 3;
const OUTAGE_MS = 4_000;
/**
 * No request may take longer than this, outage or not: while Redis is away a request waits for
 * the Redis client's bounded reconnect retries (and command timeout), then answers 503.
 */
const FAST_MS = 8_000;
/** From Redis back up to the server writing again. */
const RECOVERY_BOUND_MS = 15_000;
const PASSWORD = 'a-long-enough-password-1';
const PREFIX = `redisloss:${randomBytes(4).toString('hex')}:`;

interface Answer {
  status: number;
  contentType: string;
  json: any;
  replayed: boolean;
  ms: number;
}

interface Idempotent {
  kind: 'transfer' | 'order';
  owner: string;
  key: string;
  path: string;
  body: object;
  token: string;
  sentAt: number;
  answer: Answer;
}

interface Customer {
  id: string;
  token: string;
  email: string;
  cardToken: string;
  accounts: [string, string];
}

let pgServer: PrivateServer;
let redis: PrivateServer;
let evicting: PrivateServer;
let server: ServerProcess;
let db: pg.Client;
let smtp: SmtpSink;
let smtpGate: Promise<void> = Promise.resolve();
/** The two boots against the evicting Redis, run in the background during the main test. */
let policy: Promise<[BootOutcome, BootOutcome]>;

interface BootOutcome {
  ready: boolean;
  output: string;
  code: number | null;
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  token?: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const started = Date.now();
  try {
    const res = await fetch(server.url + path, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      // Far beyond FAST_MS: a hang shows up as a slow answer, not a stuck test.
      signal: AbortSignal.timeout(20_000),
    });
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return {
      status: res.status,
      contentType: res.headers.get('content-type') ?? '',
      json,
      replayed: res.headers.get('idempotent-replayed') === 'true',
      ms: Date.now() - started,
    };
  } catch (err) {
    return {
      status: 0,
      contentType: '',
      json: String(err),
      replayed: false,
      ms: Date.now() - started,
    };
  }
}

async function ok(what: string, answer: Promise<Answer>, ...statuses: number[]): Promise<any> {
  const a = await answer;
  if (!statuses.includes(a.status))
    throw new Error(
      `${what}: ${a.status} ${JSON.stringify(a.json)}\n${server.output().slice(-3000)}`,
    );
  return a.json;
}

async function until<T>(what: string, boundMs: number, probe: () => Promise<T | undefined>) {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${boundMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Registers (unless `loginOnly`) and logs in. */
async function register(
  email: string,
  { loginOnly = false } = {},
): Promise<{ id: string; token: string }> {
  const password = PASSWORD;
  const user = loginOnly
    ? undefined
    : await ok(
        'register',
        call('POST', '/v1/identity/register', { email, password, displayName: 'R' }),
        201,
      );
  const login = await ok('login', call('POST', '/v1/identity/login', { email, password }), 200);
  return { id: user?.id, token: login.accessToken };
}

/** Whether a server process boots (then it is stopped at once), or its exit code and output. */
async function bootOutcome(env: Record<string, string>): Promise<BootOutcome> {
  try {
    const s = await startServer(
      {
        DATABASE_URL: pgServer.url,
        REDIS_URL: evicting.url,
        // The main server's database, already migrated; no workers: this process must not
        // take the main server's events or jobs.
        MIGRATIONS_RUN: 'false',
        WORKERS: 'false',
        ...env,
      },
      { readyTimeoutMs: 45_000 },
    );
    const output = s.output();
    s.kill('SIGKILL');
    return { ready: true, output, code: null };
  } catch (err) {
    const e = err as Error & { exit?: { code: number | null } };
    return { ready: false, output: e.message, code: e.exit?.code ?? null };
  }
}

beforeAll(async () => {
  buildServer();
  [pgServer, redis, evicting, smtp] = await Promise.all([
    startPrivatePostgres(),
    startPrivateRedis(),
    startPrivateRedis({ args: ['--maxmemory-policy', 'allkeys-lru'] }),
    // Answers are held around the kill, so deliveries queue up in Redis and the kill loses them.
    startSmtpSink(() => smtpGate.then(() => new Promise((r) => setTimeout(r, 20)))),
  ]);
  db = new pg.Client({ connectionString: pgServer.url });
  await db.connect();
  server = await startServer(
    {
      DATABASE_URL: pgServer.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: PREFIX,
      // The load is a few clients; the limiter is not under test here.
      RATE_LIMIT_PER_MINUTE: '1000000',
      SMTP_URL: smtp.url,
      // The sweeper re-creates lost delivery jobs within seconds instead of 30 s.
      NOTIFICATIONS_SWEEP_INTERVAL_MS: '500',
      NOTIFICATIONS_STALE_QUEUED_MS: '2000',
      PAYMENTS_POLL_INTERVAL_MS: '200',
    },
    { readyTimeoutMs: 45_000 },
  );
  policy = Promise.all([bootOutcome({}), bootOutcome({ REDIS_ALLOW_EVICTION: 'true' })]);
}, 90_000);

afterAll(async () => {
  await db?.end();
  await destroyFaultLab();
  await smtp?.close();
});

it('survives Redis killed and restarted empty: no double execution, lost jobs re-created, invariants hold', async () => {
  // The world: an admin's product with plenty of stock, customers with verified emails, a
  // vaulted card and a funded wallet.
  const adminEmail = `admin-${randomUUID()}@example.com`;
  const admin = await register(adminEmail);
  await db.query(`UPDATE identity.users SET roles = '{customer,admin}' WHERE id = $1`, [admin.id]);
  // Roles are in the token: log in again.
  const adminToken = (await register(adminEmail, { loginOnly: true })).token;
  const category = await ok(
    'category',
    call(
      'POST',
      '/v1/commerce/categories',
      { name: 'Loss', slug: `loss-${randomUUID()}` },
      adminToken,
    ),
    201,
  );
  const sku = `LOSS-${randomBytes(3).toString('hex')}`.toUpperCase();
  const product = await ok(
    'product',
    call(
      'POST',
      '/v1/commerce/products',
      {
        sku,
        name: 'Loss',
        description: 'x',
        price: 1000,
        currency: 'EUR',
        categoryId: category.id,
      },
      adminToken,
    ),
    201,
  );
  await ok(
    'stock',
    call('PUT', `/v1/commerce/inventory/${sku}`, { onHand: 100_000 }, adminToken),
    200,
  );

  const customers: Customer[] = await Promise.all(
    Array.from({ length: CUSTOMERS }, async (_, i) => {
      const email = `loss-${i}-${randomUUID()}@example.com`;
      const { id, token } = await register(email);
      const card = await ok(
        'vault card',
        call(
          'POST',
          '/v1/payments/cards',
          { number: '4242424242424242', expMonth: 12, expYear: 2035, cvc: '123', holderName: 'R' },
          token,
        ),
        201,
      );
      const a0 = await ok(
        'account',
        call('POST', '/v1/payments/accounts', { currency: 'EUR' }, token),
        201,
      );
      const a1 = await ok(
        'account',
        call('POST', '/v1/payments/accounts', { currency: 'EUR' }, token),
        201,
      );
      await ok(
        'top up',
        call(
          'POST',
          `/v1/payments/accounts/${a0.id}/top-ups`,
          { cardToken: card.token, amount: 100_000 },
          token,
          { 'idempotency-key': randomUUID() },
        ),
        201,
      );
      // Email goes only to verified addresses: verify it as confirming a code would.
      await until('notification profile', 15_000, async () => {
        const r = await db.query(
          `UPDATE notifications.recipients SET email_verified_at = now() WHERE user_id = $1 RETURNING 1`,
          [id],
        );
        return r.rowCount ? true : undefined;
      });
      await until('funded', 15_000, async () => {
        const a = await call('GET', `/v1/payments/accounts/${a0.id}`, undefined, token);
        return a.json?.balance?.available >= 100_000 ? true : undefined;
      });
      return {
        id,
        token,
        email,
        cardToken: card.token,
        accounts: [a0.id, a1.id] as [string, string],
      };
    }),
  );

  // The load: each customer alternates transfers and checkouts, each with a fresh key.
  const sent: Idempotent[] = [];
  /** Every request of the load, idempotent or not, with when it was sent. */
  const all: { sentAt: number; answer: Answer }[] = [];
  const probed: Idempotent[] = [];
  let loading = true;
  const load = async (c: Customer) => {
    for (let i = 0; loading; i++) {
      const key = randomUUID();
      const sentAt = Date.now();
      if (i % 2 === 0) {
        const body = {
          fromAccountId: c.accounts[0],
          toAccountId: c.accounts[1],
          amount: 1,
          currency: 'EUR',
        };
        const answer = await call('POST', '/v1/payments/transfers', body, c.token, {
          'idempotency-key': key,
        });
        sent.push({
          kind: 'transfer',
          owner: c.id,
          key,
          path: '/v1/payments/transfers',
          body,
          token: c.token,
          sentAt,
          answer,
        });
      } else {
        const cartAt = Date.now();
        all.push({
          sentAt: cartAt,
          answer: await call(
            'POST',
            '/v1/commerce/cart/items',
            { productId: product.id, quantity: 1 },
            c.token,
          ),
        });
        const body = { cardToken: c.cardToken };
        const orderAt = Date.now();
        const answer = await call('POST', '/v1/commerce/orders', body, c.token, {
          'idempotency-key': key,
        });
        sent.push({
          kind: 'order',
          owner: c.id,
          key,
          path: '/v1/commerce/orders',
          body,
          token: c.token,
          sentAt: orderAt,
          answer,
        });
      }
    }
  };
  const loaders = customers.map(load);
  await new Promise((r) => setTimeout(r, 1_000));
  let openSmtp!: () => void;
  smtpGate = new Promise<void>((r) => (openSmtp = r));
  await new Promise((r) => setTimeout(r, 2_000));

  // Before the kill, a replay is answered from the cache.
  const early = sent.find((s) => s.answer.status >= 200 && s.answer.status < 300)!;
  expect(early, server.output().slice(-3000)).toBeDefined();
  const cached = await call('POST', early.path, early.body, early.token, {
    'idempotency-key': early.key,
  });
  expect(cached.replayed).toBe(true);

  const killedAt = Date.now();
  await redis.stop({ mode: 'immediate' });
  const downAt = Date.now();
  // Deliveries whose jobs Redis just lost (waiting behind the slow SMTP server): only their
  // rows in PostgreSQL remain.
  const { rows: lostJobs } = await db.query(
    `SELECT id FROM notifications.notifications WHERE channel = 'email' AND status = 'queued'`,
  );
  // Probes while Redis is away, a new one every 250 ms without waiting for the last (each
  // takes as long as the Redis client's retries and timeouts).
  const probes: Promise<void>[] = [];
  for (let i = 0; Date.now() - downAt < OUTAGE_MS; i++) {
    const c = customers[i % CUSTOMERS]!;
    const key = randomUUID();
    const body = {
      fromAccountId: c.accounts[0],
      toAccountId: c.accounts[1],
      amount: 1,
      currency: 'EUR',
    };
    const sentAt = Date.now();
    probes.push(
      call('POST', '/v1/payments/transfers', body, c.token, { 'idempotency-key': key }).then(
        (answer) => {
          const s: Idempotent = {
            kind: 'transfer',
            owner: c.id,
            key,
            path: '/v1/payments/transfers',
            body,
            token: c.token,
            sentAt,
            answer,
          };
          sent.push(s);
          probed.push(s);
        },
      ),
    );
    await new Promise((r) => setTimeout(r, 250));
  }
  const restartAt = Date.now();
  await redis.start({ empty: true });
  openSmtp();

  // Recovery, without anyone touching the server: the deny-list of ended sessions was lost
  // with Redis, so tokens issued before are refused (401 session_revoked, fail closed) and the
  // customers log in again; then a fresh transfer gets through.
  const probe = customers[0]!;
  const oldToken = probe.token;
  let lastProbe: Answer | undefined;
  const recoveredAt = await until('recovery', RECOVERY_BOUND_MS, async () => {
    const relogged = await Promise.all(
      customers.map((c) =>
        call('POST', '/v1/identity/login', { email: c.email, password: PASSWORD }),
      ),
    );
    if (relogged.some((l) => l.status !== 200)) {
      lastProbe = relogged.find((l) => l.status !== 200);
      return undefined;
    }
    relogged.forEach((l, i) => (customers[i]!.token = l.json.accessToken));
    const a = await call(
      'POST',
      '/v1/payments/transfers',
      {
        fromAccountId: probe.accounts[0],
        toAccountId: probe.accounts[1],
        amount: 1,
        currency: 'EUR',
      },
      probe.token,
      { 'idempotency-key': randomUUID() },
    );
    lastProbe = a;
    return a.status === 201 ? Date.now() : undefined;
  }).catch((err: Error) => {
    throw new Error(
      `${err.message}; last answer ${JSON.stringify(lastProbe)}\n${server.output().slice(-4000)}`,
    );
  });
  await new Promise((r) => setTimeout(r, 1_500));
  loading = false;
  await Promise.all([...loaders, ...probes]);

  all.push(...sent);
  const answers = all.map((a) => a.answer);
  // Answered while Redis was away: refused, every one (nothing runs unguarded).
  const down = all.filter((s) => s.sentAt >= downAt && s.sentAt + s.answer.ms < restartAt);
  const refused = probed.filter((s) => s.answer.status === 503);
  const acknowledged = sent.filter((s) => s.answer.status >= 200 && s.answer.status < 300);
  console.info(
    `redis loss: ${sent.length} idempotent requests (${acknowledged.length} acknowledged), ` +
      `${down.length} sent while Redis was down (${refused.length} refused), recovered ${recoveredAt - restartAt} ms after restart, ` +
      `slowest ${Math.max(...answers.map((a) => a.ms))} ms, ${smtp.mails.length} mails so far`,
  );
  expect(server.hasExited, server.output()).toBe(false);

  // While down: refused fast, as problem+json 503 (fail closed) — never a 500, never a hang.
  // (A probe that outlasts the outage in the client's retries is served after the restart.)
  expect(refused.length).toBeGreaterThan(0);
  for (const s of down) expect(s.answer.status, JSON.stringify(s.answer.json)).toBe(503);
  for (const s of refused) {
    expect(s.answer.contentType).toContain('application/problem+json');
    expect(s.answer.json.code).toBe('platform.unavailable');
  }
  // Once recovered, nothing is refused any more.
  const after = all.filter((s) => s.sentAt > recoveredAt);
  expect(after.length).toBeGreaterThan(CUSTOMERS);
  expect(after.filter((s) => s.answer.status >= 500).map((s) => s.answer.json)).toEqual([]);
  expect(after.filter((s) => s.answer.status === 401).map((s) => s.answer.json)).toEqual([]);
  for (const { sentAt, answer: a } of all) {
    // 422 commerce.cart_empty: the item's add was refused while Redis was away.
    if (a.status === 422) expect(a.json.code).toBe('commerce.cart_empty');
    // A token issued before the wipe, used after it: refused until the customer logs in again.
    else if (a.status === 401) {
      expect(a.json.code).toBe('platform.session_revoked');
      expect(sentAt).toBeGreaterThan(killedAt);
    } else expect([200, 201, 202, 503], JSON.stringify(a.json)).toContain(a.status);
    expect(a.ms).toBeLessThan(FAST_MS);
  }
  const stale = await call(
    'GET',
    `/v1/payments/accounts/${probe.accounts[0]}`,
    undefined,
    oldToken,
  );
  expect({ status: stale.status, code: stale.json.code }).toEqual({
    status: 401,
    code: 'platform.session_revoked',
  });

  // Every acknowledged key, replayed: the same transfer or order, and no second one. Keys
  // acknowledged before the kill are no longer in Redis: the database answers them.
  const beforeKill = acknowledged.filter((s) => s.sentAt + s.answer.ms < killedAt);
  expect(beforeKill.length).toBeGreaterThan(CUSTOMERS);
  for (const s of acknowledged) {
    const token = customers.find((c) => c.id === s.owner)!.token;
    const again = await call('POST', s.path, s.body, token, { 'idempotency-key': s.key });
    expect(again.status, JSON.stringify(again.json)).toBe(s.answer.status);
    expect(again.json.id).toBe(s.answer.json.id);
    if (beforeKill.includes(s)) expect(again.replayed).toBe(false);
  }
  const transferKeys = sent.filter((s) => s.kind === 'transfer').map((s) => `${s.owner}:${s.key}`);
  const orderKeys = sent.filter((s) => s.kind === 'order').map((s) => s.key);
  const { rows: perKey } = await db.query(
    `SELECT business_key AS key, count(*)::int AS n FROM payments.sagas
      WHERE kind = 'transfer' AND business_key = ANY($1) GROUP BY business_key
     UNION ALL
     SELECT idempotency_key, count(*)::int FROM commerce.orders
      WHERE idempotency_key = ANY($2) GROUP BY idempotency_key`,
    [transferKeys, orderKeys],
  );
  expect(perKey.filter((r) => r.n !== 1)).toEqual([]);
  // Every acknowledged one is there.
  const known = new Set(perKey.map((r) => r.key));
  for (const s of acknowledged)
    expect(known.has(s.kind === 'transfer' ? `${s.owner}:${s.key}` : s.key), s.key).toBe(true);

  // The product cache refills from PostgreSQL.
  await ok(
    'product',
    call('GET', `/v1/commerce/products/${product.id}`, undefined, probe.token),
    200,
  );
  const check = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  const queue = new Queue('platform.messaging-maintenance', {
    connection: { url: redis.url },
    prefix: `${PREFIX}bull`,
  });
  try {
    expect(await check.exists(`${PREFIX}commerce:product:${product.id}`)).toBe(1);
    // The hourly purge schedule lived only in Redis: a worker adds it again.
    await until('maintenance schedule back', 15_000, async () =>
      (await queue.getJobScheduler('purge-hourly')) ? true : undefined,
    );
  } finally {
    await queue.close();
    check.disconnect();
  }

  // Everything converges: sagas and orders terminal, ledger balanced, no notification left
  // queued or sending — the delivery jobs Redis lost were re-created from their rows.
  const tookMs = await awaitInvariants(pgServer.url, { boundMs: 30_000 });
  const { rows: emails } = await db.query(
    `SELECT id, status FROM notifications.notifications WHERE channel = 'email'`,
  );
  expect(emails.length).toBeGreaterThan(CUSTOMERS);
  expect(emails.filter((n) => n.status !== 'sent')).toEqual([]);
  expect(lostJobs.length).toBeGreaterThan(0);
  // Exactly one message per notification: none lost, none sent twice.
  const perId = new Map<string, number>();
  for (const m of smtp.mails) perId.set(m.messageId, (perId.get(m.messageId) ?? 0) + 1);
  expect([...perId].filter(([, n]) => n !== 1)).toEqual([]);
  expect(new Set(emails.map((n) => n.id))).toEqual(new Set(perId.keys()));
  console.info(
    `redis loss: converged ${tookMs} ms after the load, ${emails.length} emails sent once each ` +
      `(${lostJobs.length} of them queued when Redis died)`,
  );
}, 60_000);

it('refuses to boot on a Redis whose maxmemory-policy evicts, unless REDIS_ALLOW_EVICTION=true', async () => {
  const [refused, overridden] = await policy;
  expect(refused.ready, refused.output).toBe(false);
  expect(refused.code, refused.output).not.toBe(0);
  expect(refused.code, refused.output).not.toBeNull();
  expect(refused.output).toContain('maxmemory-policy is "allkeys-lru"');
  expect(refused.output).toContain('noeviction');
  expect(refused.output).toContain('REDIS_ALLOW_EVICTION=true');
  expect(overridden.ready, overridden.output).toBe(true);
}, 60_000);
