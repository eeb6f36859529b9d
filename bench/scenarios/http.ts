import autocannon from 'autocannon';
import type { ChildProcess } from 'node:child_process';
import { APP_URL, type BenchApp } from '../app.js';
import { startProcess, stopProcess } from '../env.js';
import type { Measurement, Scenario } from '../harness.js';

const ANCHOR_PORT = 3951;

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

/** P1: the full Nest pipeline (guards, pipes, interceptors, logging) vs a bare Fastify route. */
export function p1(pipelining: 1 | 10): Scenario {
  let anchor: ChildProcess | undefined;
  return {
    id: pipelining === 1 ? 'P1a' : 'P1b',
    title: `GET /health/live, ${pipelining} pipelined`,
    unit: 'req/s',
    better: 'higher',
    model: 'closed',
    target: 0.7,
    setup: async () => {
      anchor = await startProcess(
        ['dist/bench/anchors/raw-fastify.js'],
        { PORT: String(ANCHOR_PORT) },
        `http://127.0.0.1:${ANCHOR_PORT}/health/live`,
      );
    },
    teardown: () => stopProcess(anchor),
    anchor: {
      label: 'raw Fastify',
      run: async (quick) =>
        measure(
          await load({
            url: `http://127.0.0.1:${ANCHOR_PORT}/health/live`,
            pipelining,
            duration: duration(quick),
          }),
          'anchor',
        ),
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

const BARE_NEST_PORT = 3952;

/**
 * P1c: the same route against Nest 12 on Fastify with nothing added (bench/anchors/bare-nest.ts):
 * what the platform's own layers cost on top of Nest (context, headers, guards, metrics, logs).
 */
export function p1c(): Scenario {
  let anchor: ChildProcess | undefined;
  return {
    id: 'P1c',
    title: 'GET /health/live vs a bare Nest app, 1 pipelined',
    unit: 'req/s',
    better: 'higher',
    model: 'closed',
    target: 0.8,
    setup: async () => {
      anchor = await startProcess(
        ['dist/bench/anchors/bare-nest.js'],
        { PORT: String(BARE_NEST_PORT) },
        `http://127.0.0.1:${BARE_NEST_PORT}/health/live`,
      );
    },
    teardown: () => stopProcess(anchor),
    anchor: {
      label: 'bare Nest 12 + Fastify',
      run: async (quick) =>
        measure(
          await load({
            url: `http://127.0.0.1:${BARE_NEST_PORT}/health/live`,
            duration: duration(quick),
          }),
          'anchor',
        ),
    },
    app: {
      label: 'app',
      run: async (quick) =>
        measure(await load({ url: `${APP_URL}/health/live`, duration: duration(quick) }), 'app'),
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
