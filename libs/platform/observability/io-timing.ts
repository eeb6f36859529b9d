import type { Command, Redis } from 'ioredis';
import { performance } from 'node:perf_hooks';
import type { Pool, PoolClient } from 'pg';
import type { Histogram } from 'prom-client';

/**
 * Per-query and per-command latency for the PostgreSQL pool and the platform's ioredis clients.
 * Neither library has timing hooks, so each wraps the one method every call goes through, on the
 * instances the platform owns only: per call, two `performance.now()` and one `observe`.
 */

const OPERATION = /^\s*(select|insert|update|delete)\b/i;

/** The statement's verb as a label (never the SQL text): SELECT, INSERT, UPDATE, DELETE or OTHER. */
export function sqlOperation(text: string): string {
  const m = OPERATION.exec(text);
  return m ? m[1]!.toUpperCase() : 'OTHER';
}

/**
 * Times every promise-returning `query` of the pool's clients (how TypeORM runs each statement,
 * BEGIN/COMMIT included as OTHER). A client is wrapped the first time it is checked out after
 * this is called, so pre-existing idle clients are covered too; only queries run before (startup
 * migrations) are not. Callback and streaming forms (QueryStream, cursors) pass through untimed.
 */
export function timePgQueries(pool: Pool, histogram: Histogram<'operation'>): void {
  const timed = new WeakSet<PoolClient>();
  pool.on('acquire', (client) => {
    if (timed.has(client)) return;
    timed.add(client);
    const query = client.query as (...args: unknown[]) => unknown;
    client.query = function (this: PoolClient, ...args: unknown[]) {
      const start = performance.now();
      const result = query.apply(this, args);
      if (typeof (result as Promise<unknown> | undefined)?.then !== 'function') return result;
      const observe = () => {
        const first = args[0] as string | { text?: string };
        const text = typeof first === 'string' ? first : (first?.text ?? '');
        histogram.observe({ operation: sqlOperation(text) }, (performance.now() - start) / 1000);
      };
      // A new promise that settles like the original, so a caller that forgets to handle a
      // rejection still gets Node's unhandled-rejection report.
      return (result as Promise<unknown>).then(
        (value: unknown) => {
          observe();
          return value;
        },
        (err: unknown) => {
          observe();
          throw err;
        },
      );
    } as PoolClient['query'];
  });
}

const TIMED = Symbol('timed');
type TimedCommand = Command & { [TIMED]?: true };

/**
 * Times every command `redis` sends (direct, auto-pipelined, scripts) from `sendCommand` until
 * its reply, by command name (`get`, `evalsha`, `xadd`…: a bounded set). The command's own
 * resolve/reject are wrapped rather than its promise chained, so no rejection gets marked handled
 * that the caller did not handle. A command re-sent after a reconnect is timed once, from its
 * first send. BullMQ opens its own connections (BullModule's `connection`): those are not timed.
 */
export function timeRedisCommands(redis: Redis, histogram: Histogram<'command'>): Redis {
  const send = redis.sendCommand;
  redis.sendCommand = function (this: Redis, command: TimedCommand, ...rest: unknown[]) {
    if (!command[TIMED]) {
      command[TIMED] = true;
      const start = performance.now();
      const { resolve, reject } = command;
      // Lower-cased: `redis.call('SET', …)` and `redis.set(…)` are one series.
      const observe = () =>
        histogram.observe(
          { command: command.name.toLowerCase() },
          (performance.now() - start) / 1000,
        );
      command.resolve = (value) => {
        observe();
        resolve(value);
      };
      command.reject = (err) => {
        observe();
        reject(err);
      };
    }
    return (send as (...args: unknown[]) => unknown).call(this, command, ...rest);
  } as Redis['sendCommand'];
  return redis;
}
