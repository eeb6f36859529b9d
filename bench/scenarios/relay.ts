import { OutboxRelay, Transactions } from '@app/platform';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchEvent, counters } from '../anchors/noop-modules.js';
import { dbUrl, exec, pgbenchTps, sql } from '../env.js';
import type { Scenario } from '../harness.js';
import { duration } from './http.js';
import { type InProcessApp, until } from './inprocess.js';

/** P7: events through outbox → relay → inbox → consumer vs raw INSERTs of the same row shape. */
export function p7(app: InProcessApp, pgbenchDb: string): Scenario {
  const script = join(tmpdir(), 'p7-outbox-insert.sql');
  const events = (quick: boolean) => (quick ? 1000 : 20_000);
  return {
    id: 'P7',
    title: 'outbox relay, commit → consumer',
    unit: 'events/s',
    better: 'higher',
    model: 'closed',
    target: 1.0,
    setup: async () => {
      await sql(
        dbUrl(pgbenchDb),
        `CREATE TABLE IF NOT EXISTS bench_outbox (id uuid PRIMARY KEY, type text, version int, occurred_at timestamptz, correlation_id text,
           causation_id text, tenant_id text, payload jsonb, internal boolean NOT NULL DEFAULT false, created_at timestamptz DEFAULT now(), dispatched_at timestamptz)`,
      );
      writeFileSync(
        script,
        `INSERT INTO bench_outbox (id, type, version, occurred_at, correlation_id, causation_id, payload) VALUES (gen_random_uuid(), 'bench.event', 1, now(), 'c', 'c', '{"n": 1}');\n`,
      );
    },
    anchor: {
      label: 'pgbench INSERT of the outbox row, 8 clients',
      run: async (quick) => ({
        value: pgbenchTps(
          await exec('pgbench', [
            '-h',
            '127.0.0.1',
            '-U',
            'postgres',
            '-n',
            '-c',
            '8',
            '-j',
            '2',
            '-T',
            String(duration(quick)),
            '-f',
            script,
            pgbenchDb,
          ]),
        ),
      }),
    },
    app: {
      // The relay's capacity: a committed backlog (written by 8 writers, untimed) delivered to a
      // consumer. At ≥ 1 the relay outruns the fastest the database accepts outbox rows, so it
      // is never what limits a producer; the lag under a steady load is the secondary figure.
      label: 'relay: committed backlog → consumed',
      run: async (quick) => {
        const n = events(quick);
        const tx = app.ctx.get(Transactions);
        const relay = app.ctx.get(OutboxRelay);
        await relay.stop();
        const backlog = Promise.all(
          Array.from({ length: 8 }, async (_, w) => {
            for (let i = w; i < n; i += 8) {
              await tx.run((t) => t.publish(new BenchEvent({ n: i })));
            }
          }),
        );
        await Promise.allSettled([backlog]);
        const start = counters.consumed;
        const t0 = Date.now();
        relay.start();
        await backlog; // a failed write surfaces here, with the relay running again
        await until(() => counters.consumed - start >= n);
        const elapsed = Date.now() - t0;
        return { value: (n * 1000) / elapsed };
      },
    },
    secondary: async (_max, quick) => {
      const lag = await relayLag(app, 1000, quick);
      return {
        name: `commit→consumer p99 ms at 1000 events/s (open model, ${lag.n} events)`,
        value: lag.p99,
        op: '<=',
        target: 100,
      };
    },
    invariants: async () => {
      const [{ u }] = await sql(
        app.url,
        `SELECT count(*)::int u FROM platform.outbox WHERE dispatched_at IS NULL`,
      );
      const [{ p }] = await sql(
        app.url,
        `SELECT count(*)::int p FROM platform.inbox WHERE status <> 'done'`,
      );
      return u + p === 0 ? [] : [`${u} outbox rows undispatched, ${p} deliveries not done`];
    },
  };
}

/**
 * Open model: events committed at `rate` a second (each in its own transaction, not waiting for
 * the previous one), relay running; the p99 of the lag from an event's commit to its consumer,
 * once every event sent has been consumed (counted in process: no scan of the outbox, which the
 * scale series fills with a million dispatched rows).
 */
export async function relayLag(
  app: InProcessApp,
  rate: number,
  quick: boolean,
): Promise<{ n: number; p99: number }> {
  const tx = app.ctx.get(Transactions);
  const warmUpMs = quick ? 500 : 2000;
  const total = (rate * (warmUpMs + duration(quick) * 1000)) / 1000;
  let since = new Date(8.64e15);
  let sent = 0;
  const start = counters.consumed;
  const pending: Promise<void>[] = [];
  const t0 = Date.now();
  while (sent < total) {
    const now = Date.now();
    // The first seconds only warm the path up (JIT, pool); lag counts from then on.
    if (now - t0 >= warmUpMs && since.getTime() > now) since = new Date(now);
    const due = Math.min(total, Math.floor(((now - t0) * rate) / 1000));
    for (; sent < due; sent++) {
      pending.push(tx.run((t) => t.publish(new BenchEvent({ n: sent }))));
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  await Promise.all(pending);
  const deadline = Date.now() + 120_000;
  while (counters.consumed - start < total) {
    if (Date.now() > deadline)
      throw new Error(`${total - counters.consumed + start} events undelivered`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const [row] = await sql(
    app.url,
    `SELECT count(*)::int AS n,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM i.updated_at - o.created_at) * 1000) AS p99
       FROM platform.inbox i JOIN platform.outbox o ON o.id = i.event_id
      WHERE i.consumer = 'bench.noop' AND i.updated_at >= $1 AND o.created_at >= $1`,
    [since],
  );
  return { n: row.n, p99: Number(row.p99) };
}
