import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getDataSourceToken } from '@nestjs/typeorm';
import { loadConfig, REDIS } from '@app/platform';
import { createTestDatabase, eventually, type TestDatabase } from '@app/testing';
import type { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory.js';
import { CONTEXTS } from '../../src/contexts.js';
import { demoDataWanted } from '../../src/demo-data.js';

// Every app of this file is given this stream, so each one logs to `lines`.
const lines: string[] = [];
const logStream = new Writable({
  write(chunk, _enc, done) {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    done();
  },
});
const messages = () =>
  lines.map((l) => (JSON.parse(l) as { msg?: string }).msg ?? '').filter(Boolean);

interface Booted {
  app: NestFastifyApplication;
  db: DataSource;
  close(): Promise<void>;
}

/** The real app, as main.ts builds it, on `database` (a fresh clone of the migrated template). */
async function boot(
  database: TestDatabase,
  env: Record<string, string>,
  products = 120,
): Promise<Booted> {
  const prefix = `test:${randomBytes(5).toString('hex')}:`;
  const app = await createApp(
    {
      ...process.env,
      DATABASE_URL: database.url,
      DATABASE_POOL_SIZE: '5',
      LOG_LEVEL: 'info',
      MIGRATIONS_RUN: 'false',
      REDIS_PREFIX: prefix,
      OUTBOX_POLL_INTERVAL_MS: '50',
      PAYMENTS_POLL_INTERVAL_MS: '100',
      INBOX_RETRY_BASE_MS: '20',
      INBOX_RETRY_MAX_MS: '200',
      ...env,
    },
    { logStream, demo: { products } },
  );
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    db: app.get<DataSource>(getDataSourceToken()),
    async close() {
      // Keys go after the app: a job finishing during close must still find its own.
      const redis = app.get<Redis>(REDIS).duplicate();
      await app.close();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    },
  };
}

const call = (
  app: NestFastifyApplication,
  method: 'GET' | 'POST',
  url: string,
  payload?: object,
  headers: Record<string, string> = {},
) => app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

const count = async (db: DataSource, sql: string) =>
  ((await db.query(sql)) as { n: number }[])[0]!.n;

const DEVELOPMENT = { NODE_ENV: 'development', DEMO_DATA: 'true' };

describe('demo data on a fresh start', () => {
  it('a fresh development database boots with the demo; its customer logs in and orders', async () => {
    const database = await createTestDatabase();
    const first = await boot(database, DEVELOPMENT);
    try {
      const line = messages().find((m) => m.startsWith('demo data loaded: '));
      expect(line).toBeDefined();
      const [, email, password, cardToken, accountId] = line!.match(
        /customer (\S+) \/ (\S+) \(card (\S+), wallet (\S+) /,
      )!;
      const [, adminEmail, adminPassword] = line!.match(/admin (\S+) \/ (\S+),/)!;
      expect(await count(first.db, `SELECT count(*)::int n FROM commerce.products`)).toBe(120);
      expect(
        await count(first.db, `SELECT count(*)::int n FROM commerce.inventory WHERE on_hand > 0`),
      ).toBeGreaterThan(0);

      // The admin is an admin.
      const adminLogin = await call(first.app, 'POST', '/v1/identity/login', {
        email: adminEmail,
        password: adminPassword,
      });
      expect(adminLogin.statusCode).toBe(200);
      const adminMe = await call(first.app, 'GET', '/v1/identity/me', undefined, {
        authorization: `Bearer ${adminLogin.json().accessToken}`,
      });
      expect(adminMe.json().roles).toContain('admin');

      // The customer: logs in with the printed credentials, has a funded wallet, and orders
      // with the vaulted card — nothing else was set up.
      const login = await call(first.app, 'POST', '/v1/identity/login', { email, password });
      expect(login.statusCode).toBe(200);
      const auth = { authorization: `Bearer ${login.json().accessToken}` };
      await eventually(async () => {
        const wallet = await call(
          first.app,
          'GET',
          `/v1/payments/accounts/${accountId}`,
          undefined,
          auth,
        );
        expect(wallet.json().balance.available).toBe(100_000);
      });
      const search = await call(first.app, 'GET', '/v1/commerce/products?inStock=true&limit=1');
      const [product] = search.json().items as { id: string; price: number }[];
      expect(product).toBeDefined();
      const add = await call(
        first.app,
        'POST',
        '/v1/commerce/cart/items',
        { productId: product!.id, quantity: 1 },
        auth,
      );
      expect(add.statusCode).toBe(200);
      const placed = await call(
        first.app,
        'POST',
        '/v1/commerce/orders',
        { cardToken },
        { ...auth, 'idempotency-key': 'demo-order-1' },
      );
      expect(placed.statusCode).toBe(202);
      const confirmed = await eventually(
        async () => {
          const o = await call(
            first.app,
            'GET',
            `/v1/commerce/orders/${placed.json().id}`,
            undefined,
            auth,
          );
          expect(o.json().status).toBe('CONFIRMED');
          return o.json();
        },
        { timeout: 20_000 },
      );
      expect(confirmed.total).toBe(product!.price);
    } finally {
      await first.close();
    }

    // A restart finds it present: nothing loaded twice, no passwords printed again.
    const loadedBefore = messages().filter((m) => m.startsWith('demo data loaded')).length;
    const second = await boot(database, DEVELOPMENT);
    try {
      expect(messages().filter((m) => m.startsWith('demo data loaded')).length).toBe(loadedBefore);
      expect(messages().some((m) => m.startsWith('demo data present: customer demo@'))).toBe(true);
      expect(await count(second.db, `SELECT count(*)::int n FROM identity.users`)).toBe(2);
      expect(await count(second.db, `SELECT count(*)::int n FROM commerce.products`)).toBe(120);
    } finally {
      await second.close();
      await database.drop();
    }
  });

  it('two processes starting at once on a fresh database load it once', async () => {
    const database = await createTestDatabase();
    const loadedBefore = messages().filter((m) => m.startsWith('demo data loaded')).length;
    const apps = await Promise.all([
      boot(database, DEVELOPMENT, 40),
      boot(database, DEVELOPMENT, 40),
    ]);
    try {
      expect(messages().filter((m) => m.startsWith('demo data loaded')).length).toBe(
        loadedBefore + 1,
      );
      expect(await count(apps[0].db, `SELECT count(*)::int n FROM identity.users`)).toBe(2);
      expect(await count(apps[0].db, `SELECT count(*)::int n FROM commerce.products`)).toBe(40);
    } finally {
      await Promise.all(apps.map((a) => a.close()));
      await database.drop();
    }
  });

  it('is never loaded in production, with DEMO_DATA=false, or in tests that do not ask', async () => {
    const production = {
      NODE_ENV: 'production',
      DEMO_DATA: 'true',
      JWT_SECRET: randomBytes(24).toString('base64url'),
      PAYMENTS_VAULT_KEYS: `prod1:${randomBytes(32).toString('base64')}`,
      PAYMENTS_VAULT_HMAC_KEY: randomBytes(24).toString('base64url'),
      STREAMING_PLAYBACK_SECRET: randomBytes(24).toString('base64url'),
      SAAS_INVOICE_LINK_SECRET: randomBytes(24).toString('base64url'),
    };
    const envs: Record<string, string>[] = [
      production,
      { NODE_ENV: 'development', DEMO_DATA: 'false' },
      { NODE_ENV: 'test' },
    ];
    for (const env of envs) {
      const database = await createTestDatabase();
      const booted = await boot(database, env);
      try {
        expect(await count(booted.db, `SELECT count(*)::int n FROM commerce.products`)).toBe(0);
        expect(await count(booted.db, `SELECT count(*)::int n FROM identity.users`)).toBe(0);
      } finally {
        await booted.close();
        await database.drop();
      }
    }
    const config = (env: Record<string, string>) =>
      loadConfig({ DATA_DIR: process.env.DATA_DIR!, ...env }, CONTEXTS);
    expect(demoDataWanted(config({ NODE_ENV: 'development' }), {})).toBe(true);
    expect(demoDataWanted(config({ NODE_ENV: 'test' }), {})).toBe(false);
    expect(
      demoDataWanted(config({ NODE_ENV: 'test', DEMO_DATA: 'true' }), { DEMO_DATA: 'true' }),
    ).toBe(true);
    expect(demoDataWanted(config(production), production)).toBe(false);
  });
});
