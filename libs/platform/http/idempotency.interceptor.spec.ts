import 'reflect-metadata';
import { Logger, type CallHandler, type ExecutionContext } from '@nestjs/common';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { lastValueFrom, of } from 'rxjs';
import { AppConfig } from '../config/app-config.js';
import { RedisKeys } from '../redis/redis.module.js';
import { AppError } from './app-error.js';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';

/**
 * What the interceptor does when Redis is not there (issue #11 §2, Redis lost): it fails closed
 * before the handler when it cannot claim the key, and once the handler ran it answers even if
 * the outcome cannot be stored (the database's business key decides a replay).
 */
// The interceptor's warning about the lost outcome is expected here.
beforeAll(() => Logger.overrideLogger(false));
afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']));

function context(key: string): ExecutionContext {
  const request = {
    headers: { 'idempotency-key': key },
    method: 'POST',
    url: '/v1/things',
    routeOptions: { url: '/v1/things' },
    body: { amount: 1 },
    principal: { userId: 'u1' },
  };
  const reply = { header: () => reply };
  return {
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
    getHandler: () => function handler() {},
  } as unknown as ExecutionContext;
}

function interceptor(redis: Redis): IdempotencyInterceptor {
  const config = Object.assign(new AppConfig(), {
    REDIS_PREFIX: `idem-spec:${randomBytes(4).toString('hex')}:`,
  });
  return new IdempotencyInterceptor(redis, new RedisKeys(config), config);
}

async function closedPort(): Promise<number> {
  return new Promise((ok) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

it('answers 503 platform.unavailable without running the handler when Redis is unreachable', async () => {
  const redis = new Redis({
    host: '127.0.0.1',
    port: await closedPort(),
    maxRetriesPerRequest: 1,
    retryStrategy: () => 20,
  });
  redis.on('error', () => {});
  let ran = false;
  const next: CallHandler = { handle: () => ((ran = true), of({ id: 'x' })) };
  try {
    const answer = lastValueFrom(interceptor(redis).intercept(context('k1'), next));
    await expect(answer).rejects.toSatisfy(
      (err) => err instanceof AppError && err.status === 503 && err.code === 'platform.unavailable',
    );
    expect(ran).toBe(false);
  } finally {
    redis.disconnect();
  }
});

it('still answers when Redis goes away while the handler runs (the operation did run)', async () => {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
    maxRetriesPerRequest: 1,
  });
  redis.on('error', () => {});
  const next: CallHandler = {
    handle: () => {
      // Gone for good: storing the outcome fails.
      redis.disconnect();
      return of({ id: 'made-once' });
    },
  };
  const answer = await lastValueFrom(interceptor(redis).intercept(context('k2'), next));
  expect(answer).toEqual({ id: 'made-once' });
});
