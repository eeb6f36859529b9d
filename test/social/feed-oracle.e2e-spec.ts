import { createTestApp, settled, type TestApp } from '@app/testing';
import fc from 'fast-check';
import { createPost, feedPage, makeInactive, oracleFeed, walkFeed } from './feed-support.js';
import { newSocialUser, type SocialUser } from './helpers.js';

/**
 * The correctness oracle of the hybrid feed: random follow graphs over a few users (so authors
 * cross the celebrity threshold of 4 and drop back below 60 % of it (2)), random posts, bursts
 * that push feeds past their Redis cap of 20, follows, unfollows, mutes, blocks, deletes,
 * readers going inactive and feeds lost from Redis. After everything settled, every reader's
 * feed, walked page by page, must equal the pure fan-out-on-write feed computed from the
 * tables. The seed is printed on failure; rerun it with FEED_ORACLE_SEED=<seed>.
 */
const USERS = 7;
const ENV = {
  SOCIAL_CELEBRITY_THRESHOLD: '4',
  SOCIAL_CELEBRITY_EXIT_PERCENT: '60',
  SOCIAL_FEED_MAX: '20',
  SOCIAL_FANOUT_CHUNK: '2',
  // Readers stop merging a former celebrity after 1 s: the backfill alone must hold the posts.
  SOCIAL_TIER_EXIT_MERGE_SECONDS: '1',
};

type Op =
  | { kind: 'post'; who: number; n: number }
  | { kind: 'follow' | 'mute' | 'block'; who: number; whom: number; on: boolean }
  | { kind: 'delete' | 'share' | 'publish'; who: number; pick: number }
  | { kind: 'draft'; who: number }
  | { kind: 'inactive' | 'forget'; who: number }
  /** Everyone follows `who` (a celebrity now), or all but one unfollow (regular again). */
  | { kind: 'churn'; who: number; on: boolean };

const user = fc.integer({ min: 0, max: USERS - 1 });
/** Users 0 and 1 are followed most, so they cross the celebrity threshold and drop back. */
const followee = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 1 }) },
  { weight: 2, arbitrary: user },
);
const pickOp = (kind: 'share' | 'publish') =>
  fc.record({ kind: fc.constant(kind), who: user, pick: fc.nat() });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 1, arbitrary: pickOp('share') },
  { weight: 1, arbitrary: pickOp('publish') },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('draft' as const), who: user }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('churn' as const),
      who: fc.integer({ min: 0, max: 1 }),
      on: fc.boolean(),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('post' as const),
      who: user,
      n: fc.integer({ min: 1, max: 8 }),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('follow' as const),
      who: user,
      whom: followee,
      on: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('mute' as const),
      who: user,
      whom: user,
      on: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('block' as const),
      who: user,
      whom: user,
      on: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('delete' as const), who: user, pick: fc.nat() }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('inactive' as const), who: user }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('forget' as const), who: user }) },
);

describe('social feed oracle: every page of the hybrid feed equals fan-out on write', () => {
  let t: TestApp;
  let users: SocialUser[];
  beforeAll(async () => {
    t = await createTestApp({ env: ENV });
    users = await Promise.all(Array.from({ length: USERS }, () => newSocialUser(t)));
    for (const u of users) await feedPage(t, u, 1);
  });
  afterAll(() => t.close());

  /** Runs one operation through the API; refusals (self-follow, a block in the way) are fine. */
  async function apply(o: Op): Promise<void> {
    const u = users[o.who]!;
    switch (o.kind) {
      case 'post':
        for (let i = 0; i < o.n; i++) await createPost(t, u, `post ${i}`);
        return;
      case 'delete': {
        const own: { id: string }[] = await t.dataSource.query(
          `SELECT id FROM social.posts WHERE author_id = $1 AND deleted_at IS NULL ORDER BY id`,
          [u.id],
        );
        const victim = own[o.pick % Math.max(own.length, 1)];
        if (victim)
          await expectBelow500(
            t.request('DELETE', `/v1/social/posts/${victim.id}`, undefined, {
              token: u.accessToken,
            }),
          );
        return;
      }
      case 'draft':
        await createPost(t, u, 'a draft', { draft: true });
        return;
      case 'share':
      case 'publish': {
        // Share someone's published post, or publish one of your drafts (its id is older).
        const sql =
          o.kind === 'share'
            ? `SELECT id FROM social.posts WHERE author_id <> $1 AND status = 'published'
                 AND deleted_at IS NULL AND reply_to_id IS NULL AND share_of_id IS NULL ORDER BY id`
            : `SELECT id FROM social.posts WHERE author_id = $1 AND status = 'draft' ORDER BY id`;
        const found: { id: string }[] = await t.dataSource.query(sql, [u.id]);
        const target = found[o.pick % Math.max(found.length, 1)];
        if (!target) return;
        const path = o.kind === 'share' ? 'share' : 'publish';
        await expectBelow500(
          t.request(
            o.kind === 'share' ? 'PUT' : 'POST',
            `/v1/social/posts/${target.id}/${path}`,
            undefined,
            {
              token: u.accessToken,
            },
          ),
        );
        return;
      }
      case 'inactive':
        return makeInactive(t, u.id);
      case 'forget':
        await t.redis.del(
          `${t.redisPrefix}social:feed:${u.id}`,
          `${t.redisPrefix}social:feed-horizon:${u.id}`,
        );
        return;
      case 'churn': {
        const others = users.filter((x) => x !== u).slice(o.on ? 0 : 1);
        for (const x of others) {
          await expectBelow500(
            t.request(
              o.on ? 'PUT' : 'DELETE',
              `/v1/social/profiles/${u.handle}/follow`,
              undefined,
              {
                token: x.accessToken,
              },
            ),
          );
        }
        return;
      }
      default: {
        const target = users[o.whom]!;
        await expectBelow500(
          t.request(
            o.on ? 'PUT' : 'DELETE',
            `/v1/social/profiles/${target.handle}/${o.kind}`,
            undefined,
            { token: u.accessToken },
          ),
        );
      }
    }
  }

  it('holds over random graphs, posts, tier changes and the cap boundary', async () => {
    const seed = Number(process.env.FEED_ORACLE_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const tiers = new Set<string>();
    const property = fc.asyncProperty(
      fc.array(op, { minLength: 10, maxLength: 30 }),
      fc.constantFrom(3, 8, 25),
      async (ops, limit) => {
        for (const o of ops) await apply(o);
        await settled(t, { timeout: 20_000 });
        const celebs: { user_id: string; celebrity: boolean }[] = await t.dataSource.query(
          `SELECT user_id, celebrity FROM social.profiles WHERE user_id = ANY($1::uuid[])`,
          [users.map((u) => u.id)],
        );
        for (const c of celebs) tiers.add(`${c.user_id}:${c.celebrity}`);
        for (const u of users) {
          const expected = await oracleFeed(t, u.id);
          const walked = await walkFeed(t, u, limit);
          expect(walked, `feed of user ${users.indexOf(u)} (limit ${limit})`).toEqual(expected);
        }
      },
    );
    try {
      // One fixed run besides the random ones, so every run of the test covers a share, a
      // published draft, a delete and a feed past its cap of 20 whatever the seed draws (checked
      // below: a seed whose runs drew no author past 20 posts failed a clean-clone run).
      const covering: Op[] = [
        { kind: 'follow', who: 4, whom: 3, on: true },
        { kind: 'follow', who: 5, whom: 2, on: true },
        { kind: 'post', who: 3, n: 3 },
        { kind: 'post', who: 3, n: 8 },
        { kind: 'post', who: 3, n: 8 },
        { kind: 'post', who: 3, n: 8 },
        { kind: 'draft', who: 2 },
        { kind: 'post', who: 2, n: 1 },
        { kind: 'publish', who: 2, pick: 0 },
        { kind: 'share', who: 4, pick: 0 },
        { kind: 'delete', who: 3, pick: 1 },
      ];
      await fc.assert(property, {
        seed,
        numRuns: 10,
        endOnFailure: true,
        examples: [[covering, 8]],
      });
    } catch (err) {
      console.error(`feed oracle failed with seed ${seed} (FEED_ORACLE_SEED=${seed} to rerun)`);
      throw err;
    }
    // The runs crossed the cap and saw both tiers.
    const [{ longest }] = await t.dataSource.query(
      `SELECT max(n)::int AS longest FROM (SELECT count(*) AS n FROM social.posts GROUP BY author_id) c`,
    );
    expect(longest).toBeGreaterThan(20);
    const changed = users.filter((u) => tiers.has(`${u.id}:true`) && tiers.has(`${u.id}:false`));
    expect(changed.length).toBeGreaterThan(0);
    const [mix] = await t.dataSource.query(
      `SELECT count(*) FILTER (WHERE share_of_id IS NOT NULL)::int AS shares,
              count(*) FILTER (WHERE published_at > created_at)::int AS published_drafts,
              count(*) FILTER (WHERE deleted_at IS NOT NULL)::int AS deleted
         FROM social.posts`,
    );
    expect(mix.shares * mix.published_drafts * mix.deleted).toBeGreaterThan(0);
  }, 60_000);
});

async function expectBelow500(res: Promise<{ statusCode: number; body: string }>): Promise<void> {
  const r = await res;
  if (r.statusCode >= 500) throw new Error(`server error ${r.statusCode}: ${r.body}`);
}
