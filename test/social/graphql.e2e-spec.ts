import { createTestApp, eventually, settled, type TestApp } from '@app/testing';
import { getIntrospectionQuery } from 'graphql';
import { v7 as uuidv7 } from 'uuid';
import { newSocialUser, type SocialUser } from './helpers.js';

/** One feed item with everything a client shows, and 3 comments with their authors. */
const FEED_PAGE = `query ($first: Int!) {
  feed(first: $first) {
    nodes {
      id text likes likedByMe sharedByMe createdAt
      counts { likes comments shares }
      author { handle followersCount }
      comments(first: 3) { nodes { id text author { handle } } pageInfo { hasNextPage } }
    }
    pageInfo { endCursor hasNextPage }
  }
}`;

const RATE_LIMIT = 150;

describe('social GraphQL (/graphql): the read model with REST’s auth, visibility and limits', () => {
  let t: TestApp;
  let ann: SocialUser;
  let bob: SocialUser;
  const gql = (token: string | undefined, query: string, variables?: Record<string, unknown>) =>
    t.post('/graphql', { query, ...(variables ? { variables } : {}) }, token ? { token } : {});
  const rest = (token: string, url: string) => t.get(url, { token }).then((r) => r.json());
  const as = (user: SocialUser) => ({ token: user.accessToken });
  const ids = (list: { id: string }[]) => list.map((x) => x.id);

  /** SQL statements that touched the social schema while `run` ran (pollers excluded). */
  async function socialQueries(run: () => Promise<unknown>): Promise<string[]> {
    // Every TypeORM query goes through its query runner's `query`.
    const spy = vi.spyOn(Object.getPrototypeOf(t.dataSource.createQueryRunner()), 'query');
    try {
      await run();
      return spy.mock.calls.map(([sql]) => String(sql)).filter((sql) => sql.includes('social.'));
    } finally {
      spy.mockRestore();
    }
  }

  beforeAll(async () => {
    t = await createTestApp({ env: { RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT) } });
    [ann, bob] = await Promise.all([newSocialUser(t), newSocialUser(t)]);
  });
  afterAll(() => t.close());

  it('refuses a request without a valid access token: 401 UNAUTHENTICATED', async () => {
    for (const token of [undefined, 'not-a-token']) {
      const res = await gql(token, '{ profile(handle: "someone") { handle } }');
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({
        data: null,
        errors: [{ extensions: { code: 'UNAUTHENTICATED', problem: 'platform.unauthorized' } }],
      });
    }
  });

  it('answers feed, post, comments, profile, timeline and followers with REST’s data', async () => {
    await t.request('PUT', `/v1/social/profiles/${ann.handle}/follow`, {}, as(bob));
    const posted: string[] = [];
    for (const text of ['one', 'two', 'three']) {
      const res = await t.post('/v1/social/posts', { text }, as(ann));
      expect(res.statusCode).toBe(201);
      posted.push(res.json().id);
    }
    await t.post('/v1/social/posts', { text: 'a comment', replyToId: posted[0] }, as(bob));
    const restFeed = await eventually(async () => {
      const page = await rest(bob.accessToken, '/v1/social/feed?limit=2');
      if (page.items.length < 2 || page.items[0].id !== posted[2]) throw new Error('not yet');
      return page;
    });

    const feed = (await gql(bob.accessToken, FEED_PAGE, { first: 2 })).json().data.feed;
    expect(ids(feed.nodes)).toEqual(ids(restFeed.items));
    expect(feed.pageInfo).toEqual({ endCursor: restFeed.nextCursor, hasNextPage: true });
    for (const [i, node] of feed.nodes.entries()) {
      const item = restFeed.items[i];
      expect(node).toMatchObject({
        text: item.text,
        counts: item.counts,
        likes: item.counts.likes,
        likedByMe: item.likedByMe,
        createdAt: item.createdAt,
        author: { handle: item.author.handle, followersCount: 1 },
      });
    }
    const next = await gql(
      bob.accessToken,
      `{ feed(first: 2, after: "${feed.pageInfo.endCursor}") { nodes { id } } }`,
    );
    const restNext = await rest(
      bob.accessToken,
      `/v1/social/feed?limit=2&cursor=${restFeed.nextCursor}`,
    );
    expect(ids(next.json().data.feed.nodes)).toEqual(ids(restNext.items));

    const post = (
      await gql(
        bob.accessToken,
        `{ post(id: "${posted[0]}") { id text counts { comments } comments { nodes { id text } } } }`,
      )
    ).json().data.post;
    const restPost = await rest(bob.accessToken, `/v1/social/posts/${posted[0]}`);
    const restComments = await rest(bob.accessToken, `/v1/social/posts/${posted[0]}/comments`);
    expect(post).toMatchObject({ id: restPost.id, text: restPost.text, counts: { comments: 1 } });
    expect(post.comments.nodes).toEqual(
      restComments.items.map((c: { id: string; text: string }) => ({ id: c.id, text: c.text })),
    );

    const profile = (
      await gql(
        bob.accessToken,
        `{ profile(handle: "${ann.handle.toUpperCase()}") {
             userId handle displayName bio avatarUrl followersCount followingCount postsCount createdAt
             relationship { following followedBy blocking muting }
             posts(first: 5) { nodes { id } pageInfo { hasNextPage } }
             followers { nodes { handle } } } }`,
      )
    ).json().data.profile;
    const { posts, followers, ...own } = profile;
    expect(own).toEqual(await rest(bob.accessToken, `/v1/social/profiles/${ann.handle}`));
    const timeline = await rest(bob.accessToken, `/v1/social/profiles/${ann.handle}/posts?limit=5`);
    expect(ids(posts.nodes)).toEqual(ids(timeline.items));
    const restFollowers = await rest(
      bob.accessToken,
      `/v1/social/profiles/${ann.handle}/followers`,
    );
    expect(followers.nodes).toEqual(
      restFollowers.items.map((p: { handle: string }) => ({ handle: p.handle })),
    );
    expect(followers.nodes).toEqual([{ handle: bob.handle }]);
  });

  it('costs the same number of SQL queries for a feed page of 2 posts as for one of 20', async () => {
    const [reader, author, c1, c2] = await Promise.all([0, 1, 2, 3].map(() => newSocialUser(t)));
    // 25 posts with 3 comments each (by two others), seeded in SQL, counts kept exact.
    const rows: object[] = [];
    for (let i = 0; i < 25; i++) {
      const post = { id: uuidv7(), author_id: author.id, text: `post ${i}`, comments_count: 3 };
      rows.push(post);
      for (const c of [c1, c2, c1])
        rows.push({ id: uuidv7(), author_id: c.id, text: 're', reply_to_id: post.id });
    }
    await t.dataSource.query(
      `WITH r AS (SELECT * FROM jsonb_to_recordset($1::jsonb)
                    AS r(id uuid, author_id uuid, text text, reply_to_id uuid, comments_count int)),
            i AS (INSERT INTO social.posts (id, author_id, text, reply_to_id, comments_count, status, published_at)
                  SELECT id, author_id, text, reply_to_id, coalesce(comments_count, 0), 'published', now() FROM r)
       UPDATE social.profiles p SET posts_count = posts_count + n.n
         FROM (SELECT author_id, count(*)::int AS n FROM r GROUP BY author_id) n WHERE p.user_id = n.author_id`,
      [JSON.stringify(rows)],
    );
    const follow = `/v1/social/profiles/${author.handle}/follow`;
    await t.request('PUT', follow, {}, as(reader));
    await settled(t);
    // Warm: the first read of a never-read feed rebuilds it from PostgreSQL.
    await eventually(async () => {
      const page = (await gql(reader.accessToken, FEED_PAGE, { first: 20 })).json().data.feed;
      if (page.nodes.length !== 20) throw new Error(`${page.nodes.length} items`);
    });

    const pages: Record<number, { nodes: { comments: { nodes: unknown[] } }[] }> = {};
    const counts: Record<number, number> = {};
    for (const first of [2, 20]) {
      const sql = await socialQueries(async () => {
        const res = await gql(reader.accessToken, FEED_PAGE, { first });
        expect(res.statusCode).toBe(200);
        pages[first] = res.json().data.feed;
      });
      counts[first] = sql.length;
    }
    expect(pages[2]!.nodes).toHaveLength(2);
    expect(pages[20]!.nodes).toHaveLength(20);
    expect(pages[20]!.nodes.every((n) => n.comments.nodes.length === 3)).toBe(true);
    expect(counts[20]).toBe(counts[2]);
    // feed state + eligibility, posts, authors, comment pages, their posts, their authors.
    expect(counts[20]).toBeGreaterThanOrEqual(5);
    expect(counts[20]).toBeLessThanOrEqual(8);
  });

  it('refuses deep, costly and oversized queries with 400 before any resolver runs', async () => {
    const deep = `{ feed { nodes { author { posts { nodes { author { posts { nodes {
                    author { posts { nodes { id } } } } } } } } } } } }`;
    const costly = '{ feed(first: 100) { nodes { comments(first: 100) { nodes { id text } } } } }';
    const huge = '{ feed(first: 1000) { nodes { id } } }';
    const byVariable = 'query ($n: Int) { feed(first: $n) { nodes { id } } }';
    const cases: [string, Record<string, unknown> | undefined, RegExp][] = [
      [deep, undefined, /nests \d+ levels of fields; at most 8/],
      [costly, undefined, /costs \d+, over the limit of 5000/],
      [huge, undefined, /"first" of field "feed" must be an integer from 1 to 100/],
      [`{ ${'__typename '.repeat(12_000)} }`, undefined, /more that 10000 tokens/],
      [byVariable, { n: 1000 }, /"first" of field "feed"/],
    ];
    // Compiled once seen (JIT), the document still has its variables checked on every request.
    for (let run = 0; run < 2; run++)
      expect((await gql(ann.accessToken, byVariable, { n: 5 })).statusCode).toBe(200);
    for (const [query, variables, message] of cases) {
      let res!: Awaited<ReturnType<typeof gql>>;
      const sql = await socialQueries(async () => {
        res = await gql(ann.accessToken, query, variables);
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().data).toBeNull();
      expect(res.json().errors[0]).toMatchObject({
        message: expect.stringMatching(message),
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      });
      expect(sql).toEqual([]);
    }
  });

  it('answers a bad argument with 400 naming it, never a 500', async () => {
    // Twice: the second run of a document is compiled (mercurius' JIT) and must answer the same.
    for (let run = 0; run < 2; run++) {
      const badId = await gql(ann.accessToken, '{ post(id: "nope") { id } }');
      expect(badId.statusCode).toBe(400);
      expect(badId.json().errors[0]).toMatchObject({
        message: 'Invalid request: id.',
        extensions: { code: 'BAD_USER_INPUT', problem: 'platform.validation_failed' },
      });
    }
    const badCursor = await gql(ann.accessToken, '{ feed(after: "garbage") { nodes { id } } }');
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json().errors[0].message).toMatch(/cursor/);
    const unknownField = await gql(ann.accessToken, '{ feed { nodes { password } } }');
    expect(unknownField.statusCode).toBe(400);
    const syntax = await gql(ann.accessToken, '{ feed { ');
    expect(syntax.statusCode).toBe(400);
  });

  it('hides what a block hides: the blocker’s profile and posts are null for the blocked', async () => {
    const [cat, dan] = await Promise.all([newSocialUser(t), newSocialUser(t)]);
    const post = (await t.post('/v1/social/posts', { text: 'mine' }, as(cat))).json();
    await t.request('PUT', `/v1/social/profiles/${dan.handle}/block`, {}, as(cat));
    const res = await gql(
      dan.accessToken,
      `{ profile(handle: "${cat.handle}") { handle } post(id: "${post.id}") { id } }`,
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ data: { profile: null, post: null } });
    expect((await t.get(`/v1/social/profiles/${cat.handle}`, as(dan))).statusCode).toBe(404);
    expect((await t.get(`/v1/social/posts/${post.id}`, as(dan))).statusCode).toBe(404);
  });

  it('answers GraphiQL’s introspection query within the limits', async () => {
    const res = await gql(ann.accessToken, getIntrospectionQuery());
    expect(res.statusCode).toBe(200);
    const types = res.json().data.__schema.types.map((x: { name: string }) => x.name);
    expect(types).toEqual(expect.arrayContaining(['Post', 'Profile', 'PostConnection']));
  });

  // Spends the address's whole /graphql budget: keep it after every other GraphQL request.
  it('rate-limits /graphql like every REST route: 429 RATE_LIMITED with Retry-After', async () => {
    let res = await gql(bob.accessToken, '{ __typename }');
    expect(Number(res.headers['x-ratelimit-limit'])).toBe(RATE_LIMIT);
    for (let i = 0; i <= RATE_LIMIT && res.statusCode === 200; i++) {
      res = await gql(bob.accessToken, '{ __typename }');
    }
    expect(res.statusCode).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.json().errors[0].extensions).toEqual({
      code: 'RATE_LIMITED',
      problem: 'platform.rate_limited',
    });
  });

  it('serves GraphiQL in development only, /graphql only with social, REST errors unchanged', async () => {
    expect((await t.get('/graphiql')).statusCode).toBe(404);
    const malformed = await t.app.inject({
      method: 'POST',
      url: '/v1/social/posts',
      headers: { authorization: `Bearer ${ann.accessToken}`, 'content-type': 'application/json' },
      payload: '{"text":',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.headers['content-type']).toMatch(/application\/problem\+json/);

    // GraphiQL in development (with its own CSP); no /graphql in a process without social.
    const other = (env: Record<string, string>) => createTestApp({ env, database: t.database });
    const dev = await other({ NODE_ENV: 'development' });
    const page = await dev.get('/graphiql');
    const live = await dev.get('/health/live');
    await dev.close();
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain('https://unpkg.com');
    expect(live.headers['content-security-policy']).not.toContain('unpkg');
    const identity = await other({ CONTEXTS: 'identity' });
    const none = await identity.post('/graphql', { query: '{ __typename }' });
    await identity.close();
    expect(none.statusCode).toBe(404);
  });
});
