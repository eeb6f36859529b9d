import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../../libs/testing/database.js';
import {
  buildServer,
  destroyFaultLab,
  startServer,
  type ServerProcess,
} from '../../libs/testing/fault-lab.js';

/**
 * Issue #11 §3: the rate limit holds across two server processes (real OS processes, each with
 * its own Redis connections and event loop) sharing one Redis: one client hitting both at once
 * gets exactly RATE_LIMIT_PER_MINUTE answers in all, then 429 problem+json from either.
 */
const LIMIT = 10;
let database: TestDatabase;
let servers: ServerProcess[];

beforeAll(async () => {
  buildServer();
  database = await createTestDatabase();
  const env = {
    DATABASE_URL: database.url,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    // One key space for both, as two replicas of one deployment have.
    REDIS_PREFIX: `ratelimit:${randomBytes(5).toString('hex')}:`,
    RATE_LIMIT_PER_MINUTE: String(LIMIT),
    MIGRATIONS_RUN: 'false',
  };
  servers = await Promise.all([startServer(env), startServer(env)]);
}, 120_000);

afterAll(async () => {
  await destroyFaultLab();
  await database?.drop();
});

it('lets exactly RATE_LIMIT_PER_MINUTE requests through across both processes, then 429 from each', async () => {
  // All at once, alternating between the processes: the count is atomic in Redis, not per process.
  const answers = await Promise.all(
    Array.from({ length: LIMIT * 3 }, async (_, i) => {
      const res = await fetch(`${servers[i % 2]!.url}/problems`, {
        signal: AbortSignal.timeout(10_000),
      });
      return {
        server: i % 2,
        status: res.status,
        type: res.headers.get('content-type') ?? '',
        retryAfter: res.headers.get('retry-after'),
        body: (await res.json()) as { code?: string },
      };
    }),
  );
  const ok = answers.filter((a) => a.status === 200);
  const limited = answers.filter((a) => a.status === 429);
  expect(ok).toHaveLength(LIMIT);
  expect(limited).toHaveLength(LIMIT * 2);
  // Both processes refused some: neither kept a count of its own.
  expect(new Set(limited.map((a) => a.server))).toEqual(new Set([0, 1]));
  for (const a of limited) {
    expect(a.type).toContain('application/problem+json');
    expect(a.body.code).toBe('platform.rate_limited');
    expect(Number(a.retryAfter)).toBeGreaterThan(0);
  }
  // Still refused afterwards, by either.
  for (const s of servers) expect((await fetch(`${s.url}/problems`)).status).toBe(429);
  expect(servers.every((s) => !s.hasExited)).toBe(true);
}, 60_000);
