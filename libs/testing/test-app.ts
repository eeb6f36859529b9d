import 'reflect-metadata';
import type { DynamicModule, Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getDataSourceToken } from '@nestjs/typeorm';
import { REDIS, SiloDatabases } from '@app/platform';
import type { Redis } from 'ioredis';
import type { Response as InjectResponse } from 'light-my-request';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
// The one place libs/ reaches into src/: the test factory boots the real composition root.
import { createApp } from '../../src/app.factory.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export interface TestAppOptions {
  /** Environment overrides (strings, as in process.env). */
  env?: Record<string, string>;
  /** Reuse a database (e.g. to start a second app on the first one's data). */
  database?: TestDatabase;
  /** Reuse a Redis prefix (same reason). */
  redisPrefix?: string;
  imports?: DynamicModule['imports'];
  logStream?: NodeJS.WritableStream;
}

export interface RequestOptions {
  token?: string;
  headers?: Record<string, string>;
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  displayName: string;
  accessToken: string;
  refreshToken: string;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * The real AppModule on Fastify against a fresh PostgreSQL database (cloned from the migrated
 * template) and its own Redis key prefix, with HTTP helpers and data factories.
 */
export class TestApp {
  private static seq = 0;

  private constructor(
    readonly app: NestFastifyApplication,
    readonly database: TestDatabase,
    readonly redisPrefix: string,
    private readonly ownsDatabase: boolean,
  ) {}

  static async create(options: TestAppOptions = {}): Promise<TestApp> {
    const database = options.database ?? (await createTestDatabase());
    const redisPrefix = options.redisPrefix ?? `test:${randomBytes(5).toString('hex')}:`;
    const env = {
      // Its DATA_DIR is the run's (test/global-setup.ts): the run's generated secrets, unless a test
      // sets them (or another NODE_ENV: production never reads DATA_DIR).
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      DATABASE_POOL_SIZE: '10',
      MIGRATIONS_RUN: 'false',
      REDIS_PREFIX: redisPrefix,
      OUTBOX_POLL_INTERVAL_MS: '50',
      INBOX_RETRY_BASE_MS: '20',
      INBOX_RETRY_MAX_MS: '200',
      INBOX_LEASE_MS: '2000',
      // Never from the shell: a test app stays empty and on its own port unless a test asks.
      DEMO_DATA: 'false',
      METRICS_PORT: '',
      METRICS_TOKEN: '',
      ...options.env,
    };
    const app = await createApp(env, { imports: options.imports, logStream: options.logStream });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    return new TestApp(app, database, redisPrefix, !options.database);
  }

  /** A provider of the running app. */
  resolve<T>(token: Type<T> | string | symbol): T {
    return this.app.get(token as never);
  }

  get dataSource(): DataSource {
    return this.app.get(getDataSourceToken());
  }

  get redis(): Redis {
    return this.app.get(REDIS);
  }

  request(
    method: Method,
    url: string,
    body?: unknown,
    options: RequestOptions = {},
  ): Promise<InjectResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    return this.app.inject({
      method,
      url,
      headers,
      ...(body !== undefined ? { payload: body as object } : {}),
    });
  }

  get(url: string, options?: RequestOptions) {
    return this.request('GET', url, undefined, options);
  }

  post(url: string, body?: unknown, options?: RequestOptions) {
    return this.request('POST', url, body ?? {}, options);
  }

  /** Registers and logs in a new user; `roles: ['admin']` also grants admin. */
  async newUser(
    overrides: { email?: string; password?: string; displayName?: string; roles?: string[] } = {},
  ): Promise<TestUser> {
    const n = ++TestApp.seq;
    const email = overrides.email ?? `user${n}-${randomBytes(3).toString('hex')}@example.com`;
    const password = overrides.password ?? `pw-${randomBytes(8).toString('hex')}`;
    const displayName = overrides.displayName ?? `User ${n}`;
    const res = await this.post('/v1/identity/register', { email, password, displayName });
    if (res.statusCode !== 201) throw new Error(`register failed: ${res.statusCode} ${res.body}`);
    const { id } = res.json() as { id: string };
    if (overrides.roles) {
      await this.dataSource.query(`UPDATE identity.users SET roles = $2 WHERE id = $1`, [
        id,
        overrides.roles,
      ]);
    }
    return { id, email, password, displayName, ...(await this.login(email, password)) };
  }

  async login(
    email: string,
    password: string,
  ): Promise<{ accessToken: string; refreshToken: string }> {
    const res = await this.post('/v1/identity/login', { email, password });
    if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
    return res.json();
  }

  /**
   * Closes the app; drops the database and Redis keys it created. `keepRedis`: leaves its keys
   * for a restart on the same prefix (a restarted server finds its Redis as it left it).
   */
  async close({ keepRedis = false } = {}): Promise<void> {
    const redis = this.redis;
    const keys: string[] = [];
    let cursor = keepRedis ? undefined : '0';
    while (cursor !== undefined) {
      const [next, batch] = await redis.scan(
        cursor,
        'MATCH',
        `${this.redisPrefix}*`,
        'COUNT',
        1000,
      );
      cursor = next === '0' ? undefined : next;
      keys.push(...batch);
    }
    if (keys.length > 0) await redis.del(...keys);
    // Silo tenants' own databases go with the app's (unless another app shares its database).
    if (this.ownsDatabase) {
      const silos = await this.dataSource
        .query<{ database: string }[]>(
          `SELECT database FROM saas.tenants WHERE database IS NOT NULL`,
        )
        .catch(() => []);
      for (const { database } of silos) await this.resolve(SiloDatabases).drop(database);
    }
    await this.app.close();
    if (this.ownsDatabase) await this.database.drop();
  }
}

export const createTestApp = (options?: TestAppOptions) => TestApp.create(options);
