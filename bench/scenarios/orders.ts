import autocannon from 'autocannon';
import { APP_URL, type BenchApp } from '../app.js';
import { exec, pgbenchTps } from '../env.js';
import type { Scenario } from '../harness.js';
import { duration, load } from './http.js';

interface Shopper {
  id: string;
  token: string;
  card: string;
}

/**
 * P2: orders accepted per second (closed model) vs pgbench TPC-B with 8 clients, then the
 * order-created → CONFIRMED p99 at half that rate (open model: a fixed arrival rate).
 */
export function p2(app: BenchApp, pgbenchDb: string): Scenario {
  let shoppers: Shopper[] = [];
  let productId = '';
  let next = 0;
  let seq = 0;

  const fillCarts = () =>
    app.query(
      `INSERT INTO commerce.cart_lines (customer_id, product_id, quantity) SELECT id, $2, 1 FROM unnest($1::uuid[]) AS id
       ON CONFLICT (customer_id, product_id) DO UPDATE SET quantity = 1`,
      [shoppers.map((s) => s.id), productId],
    );
  const request = (): autocannon.Request => ({
    method: 'POST',
    path: '/v1/commerce/orders',
    setupRequest: (req) => {
      const s = shoppers[next++ % shoppers.length]!;
      return {
        ...req,
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${s.token}`,
          'idempotency-key': `p2-${++seq}`,
        },
        body: JSON.stringify({ cardToken: s.card }),
      };
    },
  });

  return {
    id: 'P2',
    title: 'orders accepted; created → CONFIRMED p99 at 50% of max',
    unit: 'orders/s',
    better: 'higher',
    model: 'closed',
    target: 0.5,
    setup: async () => {
      const product = await app.post(
        '/v1/commerce/products',
        {
          sku: 'BENCH-1',
          name: 'Bench Widget',
          description: 'For load',
          price: 990,
          currency: 'EUR',
        },
        app.adminToken,
      );
      productId = product.id;
      await app.request(
        'PUT',
        '/v1/commerce/inventory/BENCH-1',
        { onHand: 10_000_000 },
        app.adminToken,
      );
      const users = await app.customers(4000);
      const cards = await app.cards(users.map((u) => u.id));
      shoppers = users.map((u, i) => ({ ...u, card: cards[i]! }));
    },
    anchor: {
      label: 'pgbench TPC-B, 8 clients',
      run: async (quick) => ({
        value: pgbenchTps(
          await exec('pgbench', [
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
            pgbenchDb,
          ]),
        ),
      }),
    },
    app: {
      label: 'POST /v1/commerce/orders',
      run: async (quick) => {
        await fillCarts();
        const r = await load({
          url: APP_URL,
          connections: 8,
          duration: duration(quick),
          requests: [request()],
        });
        if (r.non2xx > 0 || r.errors > 0)
          throw new Error(`orders: ${r.non2xx} non-2xx and ${r.errors} errors`);
        return { value: r.requests.average, notes: { 'accept p99 ms': r.latency.p99 } };
      },
    },
    secondary: async (max, quick) => {
      await app.invariants(); // let the closed-model backlog drain first
      await fillCarts();
      const since = new Date();
      const rate = Math.max(1, Math.floor(max / 2));
      const r = await load({
        url: APP_URL,
        connections: 8,
        overallRate: rate,
        duration: duration(quick),
        requests: [request()],
      });
      if (r.non2xx > 0) throw new Error(`orders at ${rate}/s: ${r.non2xx} non-2xx`);
      await app.invariants();
      const [row] = await app.query(
        `SELECT percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM t.at - o.created_at) * 1000) AS p99, count(*)::int AS n
           FROM commerce.orders o JOIN commerce.order_timeline t ON t.order_id = o.id AND t.to_status = 'CONFIRMED'
          WHERE o.created_at >= $1`,
        [since],
      );
      return {
        name: `created→CONFIRMED p99 ms at ${rate}/s (${row.n} orders)`,
        value: Number(row.p99 ?? NaN),
        op: '<=',
        target: 250,
      };
    },
    invariants: () => app.invariants(),
  };
}
