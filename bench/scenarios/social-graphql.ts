import type autocannon from 'autocannon';
import { seedFollows } from '../../libs/testing/social-seed.js';
import { APP_URL, type BenchApp } from '../app.js';
import type { Measurement, Scenario } from '../harness.js';
import { duration, load } from './http.js';
import { SocialBench, type Reader } from './social-bench.js';

/** The REST feed item's fields, asked of GraphQL: both answers carry the same data. */
const FEED_QUERY = `{ feed(first: 20) {
  nodes { id text replyToId draft deleted createdAt likedByMe sharedByMe
          counts { likes comments shares }
          media { id kind contentType width height url thumbnailUrl }
          sharedPost { id text createdAt author { userId handle displayName avatarUrl } }
          author { userId handle displayName avatarUrl } }
  pageInfo { endCursor hasNextPage } } }`;

/**
 * P4d: the GraphQL feed query vs the REST feed read (`GET /v1/social/feed?limit=20`), req/s,
 * the same readers (each follows 40 authors with 2 posts each, so every page is full), the
 * same fields; readers rotate per request so neither side reads one cached feed.
 */
export function p4d(app: BenchApp): Scenario {
  const bench = new SocialBench(app);
  let readers: Reader[] = [];
  const rotating = (request: Omit<autocannon.Request, 'setupRequest'>): autocannon.Request => {
    let next = 0;
    return {
      ...request,
      setupRequest: (req) => ({
        ...req,
        headers: {
          ...req.headers,
          authorization: `Bearer ${readers[next++ % readers.length]!.token}`,
        },
      }),
    };
  };
  const run = async (label: string, request: autocannon.Request, quick: boolean) => {
    const r = await load({ url: APP_URL, duration: duration(quick), requests: [request] });
    if (r.non2xx > 0 || r.errors > 0)
      throw new Error(`${label}: ${r.non2xx} non-2xx, ${r.errors} errors`);
    return { value: r.requests.average, notes: { [`${label} p99 ms`]: r.latency.p99 } };
  };
  return {
    id: 'P4d',
    title: 'GraphQL feed query (20 items) vs the REST feed read',
    unit: 'req/s',
    better: 'higher',
    model: 'closed',
    target: 0.8,
    setup: async () => {
      const authors = await bench.users(40, 'p4da');
      readers = await bench.users(20, 'p4dr');
      await seedFollows(
        bench.q,
        readers.map((r) => r.id),
        authors.map((a) => a.id),
      );
      for (const r of readers) await bench.readFeed(r.token, 20);
      const writers = [...authors, ...authors];
      for (let i = 0; i < writers.length; i += 16)
        await Promise.all(
          writers.slice(i, i + 16).map((w, k) => bench.post(w.token, `p4d ${i + k}`)),
        );
      const open = await bench.settled();
      if (open.length) throw new Error(open.join('; '));
      // Both sides answer the same page before anything is measured.
      const rest = await bench.readFeed(readers[0]!.token, 20);
      const gql = await app.post('/graphql', { query: FEED_QUERY }, readers[0]!.token);
      const restIds = (rest as { items: { id: string }[] }).items.map((i) => i.id);
      const gqlIds = (gql as { data: { feed: { nodes: { id: string }[] } } }).data.feed.nodes.map(
        (n) => n.id,
      );
      if (restIds.length !== 20 || restIds.join() !== gqlIds.join())
        throw new Error(`GraphQL and REST feeds differ: ${gqlIds.length} vs ${restIds.length}`);
    },
    teardown: async () => bench.close(),
    anchor: {
      label: 'GET /v1/social/feed?limit=20',
      run: (quick): Promise<Measurement> =>
        run('rest', rotating({ method: 'GET', path: '/v1/social/feed?limit=20' }), quick),
    },
    app: {
      label: 'POST /graphql { feed(first: 20) }',
      run: (quick): Promise<Measurement> =>
        run(
          'graphql',
          rotating({
            method: 'POST',
            path: '/graphql',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: FEED_QUERY }),
          }),
          quick,
        ),
    },
    invariants: () => bench.invariants(readers.slice(0, 3)),
  };
}
