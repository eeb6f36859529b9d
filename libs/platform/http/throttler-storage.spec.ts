import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { AppConfig } from '../config/app-config.js';
import { RedisKeys } from '../redis/redis.module.js';
import { RedisThrottlerStorage } from './throttler-storage.js';

/**
 * The rate-limit counters on the real Redis, leased to each process in slices: two storages are
 * two processes sharing one key space (as two replicas do). Never more than the limit; with
 * enough requests, every leased hit is used; far fewer round trips than requests.
 */
const clients: Redis[] = [];

afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit()));
});

/**
 * `n` "processes" on one key space, each counting the scripts it sends to Redis (once connected:
 * a command queued before the connection is sent through sendCommand twice).
 */
async function processes(n: number) {
  const config = Object.assign(new AppConfig(), {
    REDIS_PREFIX: `throttle-spec:${randomBytes(4).toString('hex')}:`,
  });
  return Promise.all(
    Array.from({ length: n }, async () => {
      const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
      clients.push(redis);
      await redis.ping();
      const counted = { calls: 0 };
      const send = redis.sendCommand.bind(redis);
      redis.sendCommand = ((command: { name: string }) => {
        if (command.name === 'evalsha' || command.name === 'eval') counted.calls++;
        return send(command as never);
      }) as typeof redis.sendCommand;
      return { storage: new RedisThrottlerStorage(redis, new RedisKeys(config)), counted };
    }),
  );
}

const MINUTE = 60_000;

it('lets exactly the limit through across two processes in a burst, in slices of 1 % of it', async () => {
  const [a, b] = await processes(2);
  const limit = 1_000; // slices of 10
  const hits = await Promise.all(
    Array.from({ length: 1_500 }, (_, i) =>
      (i % 2 ? b! : a!).storage.increment('client', MINUTE, limit, MINUTE, 'default'),
    ),
  );
  expect(hits.filter((h) => !h.isBlocked)).toHaveLength(limit);
  expect(hits.filter((h) => h.isBlocked)).toHaveLength(500);
  for (const h of hits.filter((x) => x.isBlocked)) expect(h.timeToBlockExpire).toBeGreaterThan(0);
  // Admitted hits number 1…limit, never past it.
  expect(Math.max(...hits.filter((h) => !h.isBlocked).map((h) => h.totalHits))).toBeLessThanOrEqual(
    limit,
  );
  // ≈ limit / 10 slices plus one call per refused request, not one per request.
  const calls = a!.counted.calls + b!.counted.calls;
  expect(calls).toBeLessThan(limit / 10 + 500 + 10);
  expect(calls).toBeGreaterThanOrEqual(limit / 10 + 500);
  // Still refused afterwards, by either.
  expect((await a!.storage.increment('client', MINUTE, limit, MINUTE, 'default')).isBlocked).toBe(
    true,
  );
  expect((await b!.storage.increment('client', MINUTE, limit, MINUTE, 'default')).isBlocked).toBe(
    true,
  );
});

it('counts a limit under 200 request by request, and a slice ends with its window', async () => {
  const [a] = await processes(1);
  const small = await Promise.all(
    Array.from({ length: 15 }, () => a!.storage.increment('few', MINUTE, 10, MINUTE, 'default')),
  );
  expect(small.filter((h) => !h.isBlocked)).toHaveLength(10);
  expect(a!.counted.calls).toBe(15);

  a!.counted.calls = 0;
  const first = await a!.storage.increment('windowed', 300, 1_000, 300, 'default');
  const second = await a!.storage.increment('windowed', 300, 1_000, 300, 'default');
  expect([first.totalHits, second.totalHits]).toEqual([1, 2]);
  expect(a!.counted.calls).toBe(1); // the second came from the lease
  await new Promise((r) => setTimeout(r, 400));
  const next = await a!.storage.increment('windowed', 300, 1_000, 300, 'default');
  expect(next.totalHits).toBe(1); // a new window, counted afresh in Redis
  expect(a!.counted.calls).toBe(2);
});
