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

/**
 * Issue #11 §2: PostgreSQL stopped with `-m immediate` under a steady load of writes, then
 * started again. The process stays up, readiness says 503 while PostgreSQL is away, every
 * request answers fast (503 problem+json, never a hang or a 500), everything recovers by itself,
 * and every write that got a 2xx is there afterwards.
 */
const IN_FLIGHT = 4;
const OUTAGE_MS = 3_000;
/** No request may take longer than this, outage or not (the pool's connect timeout is 2 s). */
const FAST_MS = 3_000;
/** From PostgreSQL back up to the server answering ready and writing again. */
const RECOVERY_BOUND_MS = 15_000;

interface Sample {
  startedAt: number;
  endedAt: number;
  status: number;
  contentType: string;
  code?: string;
  id?: string;
}

let pg: PrivateServer;
let redis: PrivateServer;
let server: ServerProcess;

beforeAll(async () => {
  buildServer();
  [pg, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
  server = await startServer({
    DATABASE_URL: pg.url,
    REDIS_URL: redis.url,
    DATABASE_POOL_SIZE: '8',
    // The load is one client; the limiter is not under test here.
    RATE_LIMIT_PER_MINUTE: '1000000',
  });
}, 120_000);

afterAll(async () => {
  await destroyFaultLab();
});

async function call(
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<Sample & { json: any }> {
  const startedAt = Date.now();
  const res = await fetch(server.url + path, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
    // Far beyond the bound asserted below: a hang shows up as a slow sample, not a stuck test.
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return {
    startedAt,
    endedAt: Date.now(),
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    code: json?.code,
    id: json?.id,
    json,
  };
}

it('survives PostgreSQL stopped with -m immediate under load, and keeps every acknowledged write', async () => {
  const email = `outage-${Date.now()}@example.com`;
  const password = 'a-long-enough-password-1';
  expect(
    (await call('POST', '/v1/identity/register', { email, password, displayName: 'O' })).status,
  ).toBe(201);
  const login = await call('POST', '/v1/identity/login', { email, password });
  expect(login.status).toBe(200);
  const token: string = login.json.accessToken;

  const writes: Sample[] = [];
  let loading = true;
  const load = async () => {
    while (loading) {
      try {
        writes.push(await call('POST', '/v1/payments/accounts', { currency: 'EUR' }, token));
      } catch (err) {
        // A connection error or our 20 s abort: recorded as status 0, asserted against below.
        writes.push({ startedAt: 0, endedAt: 0, status: 0, contentType: String(err) });
      }
    }
  };
  const loaders = Array.from({ length: IN_FLIGHT }, load);

  await new Promise((r) => setTimeout(r, 1_000));
  const stopAt = Date.now();
  await pg.stop({ mode: 'immediate' });
  const downAt = Date.now();

  const readyWhileDown: Sample[] = [];
  while (Date.now() - downAt < OUTAGE_MS) {
    readyWhileDown.push(await call('GET', '/health/ready'));
    await new Promise((r) => setTimeout(r, 200));
  }
  const restartAt = Date.now();
  await pg.start();
  const upAt = Date.now();

  // Recovery: ready answers 200 and a fresh write succeeds, without anyone touching the server.
  let recoveredAt = 0;
  while (Date.now() - upAt < RECOVERY_BOUND_MS) {
    const ready = await call('GET', '/health/ready');
    const write =
      ready.status === 200
        ? await call('POST', '/v1/payments/accounts', { currency: 'EUR' }, token)
        : undefined;
    if (write?.status === 201) {
      recoveredAt = Date.now();
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 1_000));
  loading = false;
  await Promise.all(loaders);

  const duringOutage = writes.filter((w) => w.startedAt >= downAt && w.endedAt <= restartAt);
  const slowest = Math.max(...writes.map((w) => w.endedAt - w.startedAt));
  const downLatencies = duringOutage.map((w) => w.endedAt - w.startedAt);
  console.info(
    `postgres outage: ${writes.length} writes (${writes.filter((w) => w.status === 201).length} acknowledged), ` +
      `${duringOutage.length} while down (max ${Math.max(...downLatencies)} ms), stop took ${downAt - stopAt} ms, ` +
      `slowest request ${slowest} ms, recovered ${recoveredAt ? recoveredAt - upAt : 'never'} ms after restart`,
  );

  expect(server.hasExited, server.output()).toBe(false);
  expect(recoveredAt, server.output()).toBeGreaterThan(0);

  // Readiness said 503 all through the outage, quickly.
  expect(readyWhileDown.length).toBeGreaterThan(3);
  for (const r of readyWhileDown) {
    expect(r.status).toBe(503);
    expect(r.endedAt - r.startedAt).toBeLessThan(FAST_MS);
  }

  // Writes while down: fast 503 platform.unavailable problems.
  expect(duringOutage.length).toBeGreaterThan(IN_FLIGHT);
  for (const w of duringOutage) {
    expect({ status: w.status, code: w.code, contentType: w.contentType }).toEqual({
      status: 503,
      code: 'platform.unavailable',
      contentType: expect.stringContaining('application/problem+json'),
    });
  }
  // Every request, including those in flight when PostgreSQL went away: 201 or a fast 503.
  expect(new Set(writes.map((w) => w.status))).toEqual(new Set([201, 503]));
  expect(slowest).toBeLessThan(FAST_MS);

  // Every acknowledged write is there.
  const acknowledged = writes.filter((w) => w.status === 201);
  expect(acknowledged.length).toBeGreaterThan(0);
  for (const w of acknowledged) {
    const res = await call('GET', `/v1/payments/accounts/${w.id}`, undefined, token);
    expect(res.status, `account ${w.id}`).toBe(200);
  }
  // And the end state is whole: the registration's events delivered to every consumer, the
  // ledger consistent, nothing left half-done by the requests PostgreSQL cut off.
  await awaitInvariants(pg.url, { boundMs: 20_000 });
}, 90_000);
