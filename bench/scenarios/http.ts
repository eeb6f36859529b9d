import autocannon from 'autocannon';
import type { ChildProcess } from 'node:child_process';
import { APP_URL, type BenchApp } from '../app.js';
import { startProcess, stopProcess } from '../env.js';
import type { Measurement, Scenario } from '../harness.js';

export function duration(quick: boolean) {
  return quick ? 1 : 8;
}

export async function load(opts: autocannon.Options): Promise<autocannon.Result> {
  return autocannon({ connections: 10, ...opts });
}

const measure = (r: autocannon.Result, label: string): Measurement => {
  if (r.non2xx > 0 || r.errors > 0)
    throw new Error(`${label}: ${r.non2xx} non-2xx and ${r.errors} errors`);
  return { value: r.requests.average, notes: { [`${label} p99 ms`]: r.latency.p99 } };
};

/** What P1 compares the app's GET /health/live with: a process of bench/anchors/. */
const P1_ANCHORS = {
  /** A bare Fastify route: what the whole Nest pipeline costs. */
  fastify: { script: 'raw-fastify', port: 3951, label: 'raw Fastify', target: 0.7 },
  /**
   * Nest 12 on Fastify with nothing added (bench/anchors/bare-nest.ts): what the platform's own
   * layers cost on top of Nest (context, headers, guards, metrics, logs).
   */
  nest: { script: 'bare-nest', port: 3952, label: 'bare Nest 12 + Fastify', target: 0.8 },
} as const;

/** P1a/b/c: the full pipeline (guards, pipes, interceptors, logging) against an anchor app. */
export function p1(
  id: 'P1a' | 'P1b' | 'P1c',
  pipelining: 1 | 10,
  against: keyof typeof P1_ANCHORS,
): Scenario {
  const a = P1_ANCHORS[against];
  const url = `http://127.0.0.1:${a.port}/health/live`;
  let anchor: ChildProcess | undefined;
  return {
    id,
    title: `GET /health/live, ${pipelining} pipelined${against === 'nest' ? ', vs a bare Nest app' : ''}`,
    unit: 'req/s',
    better: 'higher',
    model: 'closed',
    target: a.target,
    setup: async () => {
      anchor = await startProcess(
        [`dist/bench/anchors/${a.script}.js`],
        { PORT: String(a.port) },
        url,
      );
    },
    teardown: () => stopProcess(anchor),
    anchor: {
      label: a.label,
      run: async (quick) =>
        measure(await load({ url, pipelining, duration: duration(quick) }), 'anchor'),
    },
    app: {
      label: 'app',
      run: async (quick) =>
        measure(
          await load({ url: `${APP_URL}/health/live`, pipelining, duration: duration(quick) }),
          'app',
        ),
    },
  };
}

/** P3c: idempotent replays of one transfer (same key) vs P1's app figure in the same run. */
export function p3c(app: BenchApp): Scenario {
  let request: autocannon.Request;
  let sagaKey = '';
  return {
    id: 'P3c',
    title: 'idempotent replays (same key)',
    unit: 'req/s',
    better: 'higher',
    model: 'closed',
    target: 0.5,
    setup: async () => {
      const [user] = await app.customers(1);
      const [from, to] = [
        await app.post('/v1/payments/accounts', { currency: 'EUR' }, user!.token),
        await app.post('/v1/payments/accounts', { currency: 'EUR' }, user!.token),
      ];
      const [card] = await app.cards([user!.id]);
      await app.post(
        `/v1/payments/accounts/${from.id}/top-ups`,
        { cardToken: card, amount: 10_000 },
        user!.token,
        { 'idempotency-key': 'p3c-fund' },
      );
      const body = JSON.stringify({
        fromAccountId: from.id,
        toAccountId: to.id,
        amount: 1,
        currency: 'EUR',
        reference: 'p3c',
      });
      const headers = {
        'content-type': 'application/json',
        authorization: `Bearer ${user!.token}`,
        'idempotency-key': 'p3c-key',
      };
      await app.post('/v1/payments/transfers', JSON.parse(body), user!.token, {
        'idempotency-key': 'p3c-key',
      });
      request = { method: 'POST', path: '/v1/payments/transfers', headers, body };
      sagaKey = `${user!.id}:p3c`;
    },
    anchor: {
      label: 'app GET /health/live (P1)',
      run: async (quick) =>
        measure(await load({ url: `${APP_URL}/health/live`, duration: duration(quick) }), 'health'),
    },
    app: {
      label: 'replays',
      run: async (quick) =>
        measure(
          await load({ url: APP_URL, requests: [request], duration: duration(quick) }),
          'replay',
        ),
    },
    invariants: async () => {
      const [{ n }] = await app.query(
        `SELECT count(*)::int n FROM payments.sagas WHERE business_key = $1`,
        [sagaKey],
      );
      return n === 1 ? [] : [`the replayed key produced ${n} transfers`];
    },
  };
}
