import autocannon from 'autocannon';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_URL, type BenchApp } from '../app.js';
import { exec, pgbenchTps } from '../env.js';
import type { Measurement, Scenario } from '../harness.js';
import { duration, load } from './http.js';

export interface Wallet {
  id: string;
  token: string;
}

export async function fundedWallets(app: BenchApp, n: number, amount: number): Promise<Wallet[]> {
  const users = await app.customers(n);
  const cards = await app.cards(users.map((u) => u.id));
  const wallets: Wallet[] = [];
  for (let i = 0; i < n; i += 10) {
    const batch = await Promise.all(
      users.slice(i, i + 10).map(async (u, k) => {
        const account = await app.post('/v1/payments/accounts', { currency: 'EUR' }, u.token);
        if (amount > 0)
          await app.post(
            `/v1/payments/accounts/${account.id}/top-ups`,
            { cardToken: cards[i + k], amount },
            u.token,
            { 'idempotency-key': `fund-${account.id}` },
          );
        return { id: account.id as string, token: u.token };
      }),
    );
    wallets.push(...batch);
  }
  return wallets;
}

function pgbench(db: string, args: string[], quick: boolean) {
  return exec('pgbench', [
    '-h',
    '127.0.0.1',
    '-U',
    'postgres',
    '-c',
    '8',
    '-j',
    '2',
    '-T',
    String(duration(quick)),
    ...args,
    db,
  ]);
}

const transfersMeasure = (r: autocannon.Result): Measurement => {
  if (r.non2xx > 0 || r.errors > 0)
    throw new Error(`transfers: ${r.non2xx} non-2xx and ${r.errors} errors`);
  return { value: r.requests.average, notes: { 'transfer p99 ms': r.latency.p99 } };
};

/** Closed-model load of POST /v1/payments/transfers; `next` picks each request's payer, payee and key. */
export async function transferLoad(
  quick: boolean,
  next: () => { token: string; key: string; body: object },
): Promise<Measurement> {
  return transfersMeasure(
    await load({
      url: APP_URL,
      connections: 8,
      duration: duration(quick),
      requests: [
        {
          method: 'POST',
          path: '/v1/payments/transfers',
          setupRequest: (req) => {
            const t = next();
            return {
              ...req,
              headers: {
                'content-type': 'application/json',
                authorization: `Bearer ${t.token}`,
                'idempotency-key': t.key,
              },
              body: JSON.stringify(t.body),
            };
          },
        },
      ],
    }),
  );
}

/** P3a: internal transfers spread uniformly over many accounts vs pgbench simple-update. */
export function p3a(app: BenchApp, pgbenchDb: string): Scenario {
  let wallets: Wallet[] = [];
  let seq = 0;
  return {
    id: 'P3a',
    title: 'internal transfers, uniform over many accounts',
    unit: 'tps',
    better: 'higher',
    model: 'closed',
    target: 0.5,
    setup: async () => {
      wallets = await fundedWallets(app, 100, 1_000_000);
    },
    anchor: {
      label: 'pgbench -N (simple-update)',
      run: async (quick) => ({ value: pgbenchTps(await pgbench(pgbenchDb, ['-N'], quick)) }),
    },
    app: {
      label: 'POST /v1/payments/transfers',
      run: (quick) =>
        transferLoad(quick, () => {
          const i = Math.floor(Math.random() * wallets.length);
          const j = (i + 1 + Math.floor(Math.random() * (wallets.length - 1))) % wallets.length;
          const n = ++seq;
          return {
            token: wallets[i]!.token,
            key: `p3a-${n}`,
            body: {
              fromAccountId: wallets[i]!.id,
              toAccountId: wallets[j]!.id,
              amount: 1 + (n % 50),
              currency: 'EUR',
            },
          };
        }),
    },
    invariants: () => app.invariants(),
  };
}

/** P3b: every transfer credits one hot account vs a pgbench script doing the same lock + 2 updates + insert. */
export function p3b(app: BenchApp, pgbenchDb: string): Scenario {
  let wallets: Wallet[] = [];
  let hot = '';
  let seq = 0;
  const script = join(tmpdir(), 'p3b-hot-account.sql');
  return {
    id: 'P3b',
    title: 'transfers all touching one hot account',
    unit: 'tps',
    better: 'higher',
    model: 'closed',
    target: 0.8,
    setup: async () => {
      wallets = await fundedWallets(app, 50, 1_000_000);
      hot = (await fundedWallets(app, 1, 0))[0]!.id;
      writeFileSync(
        script,
        [
          '\\set aid random(2, 100000)',
          'BEGIN;',
          'SELECT abalance FROM pgbench_accounts WHERE aid = 1 FOR UPDATE;',
          'UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid = 1;',
          'UPDATE pgbench_accounts SET abalance = abalance - 1 WHERE aid = :aid;',
          'INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 1, :aid, 1, CURRENT_TIMESTAMP);',
          'END;',
        ].join('\n'),
      );
    },
    anchor: {
      label: 'pgbench hot-row script',
      run: async (quick) => ({
        value: pgbenchTps(await pgbench(pgbenchDb, ['-f', script], quick)),
      }),
    },
    app: {
      label: 'POST /v1/payments/transfers → one account',
      run: (quick) =>
        transferLoad(quick, () => {
          const w = wallets[Math.floor(Math.random() * wallets.length)]!;
          return {
            token: w.token,
            key: `p3b-${++seq}`,
            body: { fromAccountId: w.id, toAccountId: hot, amount: 1, currency: 'EUR' },
          };
        }),
    },
    invariants: () => app.invariants(),
  };
}
