import type autocannon from 'autocannon';
import { v7 as uuidv7 } from 'uuid';
import { APP_URL, type BenchApp } from '../app.js';
import { SQL_UUID_V7 } from '../env.js';
import { ranges, type ScaleSeries } from '../scale.js';
import { duration, load } from './http.js';
import { fundedWallets, transferLoad, type Wallet } from './payments.js';

const ADJECTIVES = ['Compact', 'Wireless', 'Vintage', 'Ergonomic', 'Portable', 'Classic', 'Smart'];
const NOUNS = ['Chair', 'Kettle', 'Speaker', 'Backpack', 'Monitor', 'Blender', 'Jacket', 'Drill'];
const COLOURS = ['red', 'black', 'white', 'green', 'blue', 'grey', 'orange', 'yellow'];
/** Every 20th product is a lamp: the broad query's matches grow with the catalogue (5 %). */
const BROAD = 'lamp';
/** Every 20th of the first 1,000 (offset by 10): the selective query's matches stay 50. */
const SELECTIVE = 'zephyr';
const SELECTIVE_COUNT = 50;

/** 8 connections for the window: closed (as fast as it answers), or open at `rate` a second. */
async function searches(path: string, label: string, rate?: number): Promise<autocannon.Result> {
  const r = await load({
    url: `${APP_URL}${path}`,
    connections: 8,
    duration: duration(false),
    ...(rate ? { overallRate: rate } : {}),
  });
  if (r.non2xx > 0 || r.errors > 0)
    throw new Error(`${label}: ${r.non2xx} non-2xx and ${r.errors} errors`);
  return r;
}

/**
 * S1: catalogue search at 10k, 100k and 1M products (GET /v1/commerce/products, 20 a page with
 * facets and the total). A selective query (50 matches at every size) rides the GIN index and
 * must stay flat; a broad one (5 % of the catalogue) ranks and counts every match, so it grows
 * with its matches — as every ranked full-text search without a bounded count does.
 */
export function scaleSearch(app: BenchApp, pid: () => number): ScaleSeries {
  let have = 0;
  let categories: string[] = [];
  return {
    id: 'S1',
    title: 'catalogue search as the catalogue grows',
    sizeLabel: 'products',
    sizes: [10_000, 100_000, 1_000_000],
    figures: [
      { name: 'selective p99', unit: 'ms at 100/s', expect: 'flat' },
      { name: 'selective throughput', unit: 'req/s', expect: 'flat', better: 'higher' },
      { name: 'broad p99', unit: 'ms at 2/s', expect: 'linear' },
    ],
    pid,
    grow: async (size) => {
      if (!categories.length)
        for (let c = 0; c < 20; c++)
          categories.push(
            (
              await app.post(
                '/v1/commerce/categories',
                { name: `Scale ${c}`, slug: `scale-${c}` },
                app.adminToken,
              )
            ).id,
          );
      for (const [from, to] of ranges(have + 1, size, 50_000)) {
        await app.query(
          `INSERT INTO commerce.products (id, sku, name, description, price, currency, category_id)
           SELECT ${SQL_UUID_V7}, 'scale-' || n,
                  ($3::text[])[1 + n % 7] || ' '
                    || CASE WHEN n % 20 = 0 THEN $5 WHEN n % 20 = 10 AND n <= $7 THEN $6 ELSE ($4::text[])[1 + (n / 20) % 8] END,
                  'Model ' || n || ' in ' || ($8::text[])[1 + n % 8],
                  100 + (n::bigint * 7919) % 100000, 'EUR', ($9::uuid[])[1 + n % 20]
             FROM generate_series($1::int, $2::int) AS n`,
          [
            from,
            to,
            ADJECTIVES,
            NOUNS,
            BROAD,
            SELECTIVE,
            SELECTIVE_COUNT * 20,
            COLOURS,
            categories,
          ],
        );
        await app.query(
          `INSERT INTO commerce.inventory (sku, on_hand) SELECT 'scale-' || n, n % 50 FROM generate_series($1::int, $2::int) AS n`,
          [from, to],
        );
      }
      have = size;
      // What autovacuum would have done by the time such a catalogue is searched.
      await app.query(`VACUUM ANALYZE commerce.products`);
      await app.query(`VACUUM ANALYZE commerce.inventory`);
      // The bulk load's dirty pages written out now, not by a checkpoint while measuring.
      await app.query(`CHECKPOINT`);
    },
    // Throughput in a closed model; p99s in an open one at a rate every size can serve (a p99
    // taken at saturation measures the queue and this machine's scheduler, not the search).
    measure: async () => {
      const selective = `/v1/commerce/products?q=${SELECTIVE}&limit=20`;
      // Warm-up on the restarted server (JIT, pool, caches), unmeasured.
      await load({ url: `${APP_URL}${selective}`, connections: 8, duration: 2 });
      const max = await searches(selective, 'selective');
      const paced = await searches(selective, 'selective', 100);
      const broad = await searches(`/v1/commerce/products?q=${BROAD}&limit=20`, 'broad', 2);
      return {
        'selective p99': paced.latency.p99,
        'selective throughput': max.requests.average,
        'broad p99': broad.latency.p99,
      };
    },
    invariants: async () => {
      const page = await app.request('GET', `/v1/commerce/products?q=${SELECTIVE}&limit=20`);
      const broad = await app.request('GET', `/v1/commerce/products?q=${BROAD}&limit=1`);
      const problems: string[] = [];
      if (page.facets.total !== SELECTIVE_COUNT)
        problems.push(`"${SELECTIVE}" matched ${page.facets.total}, expected ${SELECTIVE_COUNT}`);
      if (broad.facets.total !== have / 20)
        problems.push(`"${BROAD}" matched ${broad.facets.total}, expected ${have / 20}`);
      return problems;
    },
  };
}

/**
 * S2: wallet → wallet transfers at 1k, 100k and 1M accounts (P3a's load: 100 funded payers,
 * payees drawn uniformly from every account). Locks, postings and the hash chain touch two
 * accounts by primary key whatever the ledger holds, so throughput must stay flat.
 */
export function scaleTransfers(app: BenchApp, pid: () => number): ScaleSeries {
  let payers: Wallet[] = [];
  const payees: string[] = [];
  let seq = 0;
  /** A payer drawn from the funded wallets, a payee from every account. */
  const next = () => {
    const payer = payers[Math.floor(Math.random() * payers.length)]!;
    let to = payees[Math.floor(Math.random() * payees.length)]!;
    if (to === payer.id) to = payees[(payees.indexOf(to) + 1) % payees.length]!;
    return {
      token: payer.token,
      key: `s2-${++seq}`,
      body: { fromAccountId: payer.id, toAccountId: to, amount: 1, currency: 'EUR' },
    };
  };
  return {
    id: 'S2',
    title: 'wallet transfers as the ledger grows',
    sizeLabel: 'accounts',
    sizes: [1_000, 100_000, 1_000_000],
    figures: [
      { name: 'transfers', unit: 'tps', expect: 'flat', better: 'higher' },
      { name: 'transfer p99', unit: 'ms', expect: 'flat' },
    ],
    pid,
    grow: async (size) => {
      if (!payers.length) {
        payers = await fundedWallets(app, 100, 1_000_000);
        payees.push(...payers.map((p) => p.id));
      }
      while (payees.length < size) {
        const ids = Array.from({ length: Math.min(50_000, size - payees.length) }, () => uuidv7());
        await app.query(
          `INSERT INTO payments.accounts (id, owner_id, kind, currency, debits_must_not_exceed_credits)
           SELECT id, ${SQL_UUID_V7}, 'wallet', 'EUR', true FROM unnest($1::uuid[]) AS id`,
          [ids],
        );
        payees.push(...ids);
      }
      await app.query(`VACUUM ANALYZE payments.accounts`);
      // The bulk load's dirty pages written out now, not by a checkpoint while measuring.
      await app.query(`CHECKPOINT`);
    },
    measure: async () => {
      // Warm-up on the restarted server, unmeasured (1 s of the same load).
      await transferLoad(true, next);
      const r = await transferLoad(false, next);
      return { transfers: r.value, 'transfer p99': Number(r.notes!['transfer p99 ms']) };
    },
    invariants: () => app.invariants(),
  };
}
