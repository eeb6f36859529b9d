import { feedsHolding } from '../../libs/testing/social-seed.js';
import { APP_URL, type BenchApp } from '../app.js';
import { SQL_UUID_V7 } from '../env.js';
import { median } from '../harness.js';
import { ranges, type ScaleSeries } from '../scale.js';
import { duration, load } from './http.js';
import type { InProcessApp } from './inprocess.js';
import { relayLag } from './relay.js';
import { probes, SocialBench, type Reader } from './social-bench.js';

/**
 * S3: a post by an author with 1k, 10k and 100k followers, pushed to every follower's feed
 * (the scale app raises the celebrity threshold above 100k, so all three are fanned out on
 * write): the time from the POST to the last probed feed holding it must grow linearly with the
 * followers (one feed write each), and a follower's feed read (20 items) must stay flat.
 */
export function scaleFanOut(app: BenchApp, pid: () => number): ScaleSeries {
  const bench = new SocialBench(app);
  let author: Reader;
  let readers: Reader[] = [];
  let followers: string[] = [];
  const posts: string[] = [];
  return {
    id: 'S3',
    title: 'fan-out on write and feed reads as an author’s following grows',
    sizeLabel: 'followers',
    sizes: [1_000, 10_000, 100_000],
    figures: [
      { name: 'fan-out', unit: 'ms', expect: 'linear' },
      { name: 'feed read p99', unit: 'ms at 100/s', expect: 'flat' },
    ],
    pid,
    grow: async (size) => {
      // A new author per size, followed by 20 readers with tokens and size − 20 seeded followers.
      ({ author, readers, followers } = await bench.audience(size, 20, `s3x${size}`));
    },
    measure: async () => {
      // Warm-up on the restarted server (JIT, pool), unmeasured.
      for (const r of readers) await bench.readFeed(r.token, 20);
      // Fan-out chunk jobs take 1,000 followers each.
      const probed = probes(followers, 1000);
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        const post = await bench.post(author.token, `s3 ${followers.length} ${i}`);
        while ((await feedsHolding(bench.redis, bench.prefix, post.id, probed)) < probed.length) {
          if (performance.now() - t0 > 120_000) throw new Error(`post ${post.id} not delivered`);
          await new Promise((r) => setTimeout(r, 5));
        }
        times.push(performance.now() - t0);
        posts.push(post.id);
      }
      let next = 0;
      const r = await load({
        url: APP_URL,
        connections: 8,
        duration: duration(false),
        // Open model below what every size serves: the p99 of a read, not of a queue.
        overallRate: 100,
        requests: [
          {
            method: 'GET',
            path: '/v1/social/feed?limit=20',
            setupRequest: (req) => ({
              ...req,
              headers: { authorization: `Bearer ${readers[next++ % readers.length]!.token}` },
            }),
          },
        ],
      });
      if (r.non2xx > 0 || r.errors > 0)
        throw new Error(`feed: ${r.non2xx} non-2xx and ${r.errors} errors`);
      return { 'fan-out': median(times), 'feed read p99': r.latency.p99 };
    },
    // The largest author's posts are in every one of their followers' feeds, none lost.
    invariants: () =>
      bench.invariants(readers.slice(0, 3), { postIds: posts.slice(-3), followerIds: followers }),
    teardown: async () => bench.close(),
  };
}

/**
 * S4: the relay's commit → consumer lag (P7's open model, 1,000 events/s) with 0, 100k and 1M
 * dispatched rows kept in the outbox (its retention window, vacuumed as autovacuum would): the
 * claim reads a partial index of undispatched rows only, so the lag must stay flat. Memory is
 * this process's (the relay runs in it, as in P7).
 */
export function scaleRelay(app: InProcessApp): ScaleSeries {
  let have = 0;
  return {
    id: 'S4',
    title: 'outbox relay lag as dispatched history accumulates',
    sizeLabel: 'dispatched rows',
    sizes: [0, 100_000, 1_000_000],
    figures: [{ name: 'lag p99', unit: 'ms, median of 3', expect: 'flat' }],
    pid: () => process.pid,
    grow: async (size) => {
      for (const [from, to] of ranges(have + 1, size, 100_000)) {
        await app.query(
          `INSERT INTO platform.outbox (id, type, version, occurred_at, correlation_id, causation_id, payload, created_at, dispatched_at)
           SELECT ${SQL_UUID_V7}, 'bench.history', 1, now() - interval '1 hour', 'c', 'c', jsonb_build_object('n', n),
                  now() - interval '1 hour', now() - interval '1 hour'
             FROM generate_series($1::int, $2::int) AS n`,
          [from, to],
        );
      }
      have = size;
      await app.query(`VACUUM ANALYZE platform.outbox`);
      // The bulk load's dirty pages written out now, not by a checkpoint while measuring.
      await app.query(`CHECKPOINT`);
    },
    measure: async () => {
      // Warm-up (JIT, pool), unmeasured: the series starts on a freshly started context.
      await relayLag(app, 1000, true);
      // The median of three windows: one stall (a checkpoint, a scheduler hiccup on 2 shared
      // cores) delays every event in flight and owns a single window's p99.
      const p99s: number[] = [];
      for (let i = 0; i < 3; i++) p99s.push((await relayLag(app, 1000, false)).p99);
      return { 'lag p99': median(p99s) };
    },
    invariants: async () => {
      const [{ u }] = await app.query<{ u: number }>(
        `SELECT count(*)::int u FROM platform.outbox WHERE dispatched_at IS NULL`,
      );
      return u === 0 ? [] : [`${u} outbox rows undispatched`];
    },
  };
}
