import { getQueueToken } from '@nestjs/bullmq';
import { createTestApp, settled, type TestApp } from '@app/testing';
import type { Queue } from 'bullmq';
import { FanoutProcessor } from '../../src/social/feed/fanout.processor.js';
import { FANOUT_QUEUE } from '../../src/social/feed/feed-jobs.js';
import {
  createPost,
  deletePost,
  feedPage,
  makeInactive,
  oracleFeed,
  pushedFeed,
  setEdge,
  walkFeed,
} from './feed-support.js';
import { newSocialUser, type SocialUser } from './helpers.js';

/**
 * Small tiers so a handful of users cross them: celebrity at 4 followers, back to fan-out on
 * write at 2 (below 60 % of 4), feeds capped at 20, two followers per fan-out job.
 */
const ENV = {
  SOCIAL_CELEBRITY_THRESHOLD: '4',
  SOCIAL_CELEBRITY_EXIT_PERCENT: '60',
  SOCIAL_FEED_MAX: '20',
  SOCIAL_FANOUT_CHUNK: '2',
};

describe('social feed: hybrid fan-out, celebrity merge, the PostgreSQL continuation, rebuilds', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: ENV });
  });
  afterAll(() => t.close());

  /** New users who have read their feed once (active, feed built). */
  async function readers(n: number): Promise<SocialUser[]> {
    const users = await Promise.all(Array.from({ length: n }, () => newSocialUser(t)));
    for (const u of users) await feedPage(t, u, 1);
    return users;
  }

  const celebrity = async (u: SocialUser): Promise<boolean> => {
    const [row] = await t.dataSource.query(
      `SELECT celebrity FROM social.profiles WHERE user_id = $1`,
      [u.id],
    );
    return row.celebrity;
  };

  it('pushes a regular author’s post into every active follower’s feed (chunked) and their own; not comments or drafts', async () => {
    const [author, ...followers] = await readers(4);
    for (const f of followers) await setEdge(t, f, 'follow', author!, true);
    await settled(t);
    const post = await createPost(t, author!, 'hello followers');
    await createPost(t, author!, 'a comment', { replyToId: post });
    await createPost(t, author!, 'a draft', { draft: true });
    await t.request('PUT', `/v1/social/posts/${post}/share`, undefined, {
      token: followers[0]!.accessToken,
    });
    await settled(t);
    const [{ id: share }] = await t.dataSource.query(
      `SELECT id FROM social.posts WHERE share_of_id = $1`,
      [post],
    );
    for (const u of [author!, ...followers]) expect(await pushedFeed(t, u.id)).toContain(post);
    // Three followers, two per job: two push jobs for the post.
    const queue = t.resolve<Queue>(getQueueToken(FANOUT_QUEUE) as never);
    expect((await queue.getJob(`push_${post}_1`))?.data).toMatchObject({ kind: 'push' });
    expect(await walkFeed(t, followers[1]!, 5)).toEqual([post]);
    expect(await walkFeed(t, followers[0]!, 5)).toEqual([share, post]);
    expect(await walkFeed(t, followers[0]!, 5)).toEqual(await oracleFeed(t, followers[0]!.id));

    // Running a finished job again changes nothing.
    const job = (await queue.getJob(`push_${post}_0`))!;
    const before = await pushedFeed(t, followers[0]!.id);
    await expect(t.resolve(FanoutProcessor).process(job)).resolves.toBe('done');
    expect(await pushedFeed(t, followers[0]!.id)).toEqual(before);
  });

  it('merges celebrities at read time, with hysteresis, and backfills when one drops back', async () => {
    const [star, ...fans] = await readers(5);
    for (const f of fans) await setEdge(t, f, 'follow', star!, true);
    await settled(t);
    expect(await celebrity(star!)).toBe(true);
    const asCelebrity = await createPost(t, star!, 'famous now');
    await settled(t);
    // Not pushed, but in the author set and in every fan's feed read.
    expect(await pushedFeed(t, fans[0]!.id)).not.toContain(asCelebrity);
    expect(await pushedFeed(t, star!.id)).toContain(asCelebrity);
    for (const f of fans) expect((await feedPage(t, f, 5)).items[0]!.id).toBe(asCelebrity);

    await setEdge(t, fans[3]!, 'follow', star!, false); // 3 followers: still a celebrity
    await settled(t);
    expect(await celebrity(star!)).toBe(true);
    await setEdge(t, fans[2]!, 'follow', star!, false); // 2 < 60 % of 4: back to fan-out
    await settled(t);
    expect(await celebrity(star!)).toBe(false);
    // The backfill put the celebrity-time post into the remaining fans' pushed feeds.
    for (const f of fans.slice(0, 2)) expect(await pushedFeed(t, f.id)).toContain(asCelebrity);
    const asRegular = await createPost(t, star!, 'regular again');
    await settled(t);
    for (const f of fans.slice(0, 2)) {
      expect(await pushedFeed(t, f.id)).toContain(asRegular);
      expect(await walkFeed(t, f, 3)).toEqual(await oracleFeed(t, f.id));
    }
    expect(await walkFeed(t, fans[2]!, 3)).toEqual([]);
  });

  it('continues past the Redis cap from PostgreSQL with no gap and no duplicate', async () => {
    const [a, b, reader] = await readers(3);
    await setEdge(t, reader!, 'follow', a!, true);
    await setEdge(t, reader!, 'follow', b!, true);
    await settled(t);
    for (let i = 0; i < 16; i++) {
      await createPost(t, i % 2 ? a! : b!, `post ${i}`);
      await createPost(t, reader!, `mine ${i}`);
    }
    await settled(t);
    expect(await pushedFeed(t, reader!.id)).toHaveLength(20);
    const oracle = await oracleFeed(t, reader!.id);
    expect(oracle).toHaveLength(32);
    for (const limit of [1, 7, 20, 100]) expect(await walkFeed(t, reader!, limit)).toEqual(oracle);
  });

  it('rebuilds a missing feed and the feed of a reader who was inactive (fan-out skipped them)', async () => {
    const [author, gone, away] = await readers(3);
    await setEdge(t, gone!, 'follow', author!, true);
    await setEdge(t, away!, 'follow', author!, true);
    await settled(t);
    const first = await createPost(t, author!, 'one');
    await settled(t);
    // Redis lost the feed: the read rebuilds it from PostgreSQL.
    await t.redis.del(
      `${t.redisPrefix}social:feed:${gone!.id}`,
      `${t.redisPrefix}social:feed-horizon:${gone!.id}`,
    );
    expect(await walkFeed(t, gone!, 10)).toEqual([first]);
    expect(await pushedFeed(t, gone!.id)).toEqual([first]);

    await makeInactive(t, away!.id);
    const second = await createPost(t, author!, 'two');
    await settled(t);
    expect(await pushedFeed(t, away!.id)).not.toContain(second);
    expect(await walkFeed(t, away!, 10)).toEqual([second, first]);
    expect(await pushedFeed(t, away!.id)).toEqual([second, first]);
  });

  it('merges on follow and unmute; removes on mute, delete, unfollow and block', async () => {
    const [author, reader] = await readers(2);
    const posts = [];
    for (let i = 0; i < 3; i++) posts.unshift(await createPost(t, author!, `p${i}`));
    await settled(t);
    await setEdge(t, reader!, 'follow', author!, true);
    await settled(t);
    expect(await pushedFeed(t, reader!.id)).toEqual(posts);

    await setEdge(t, reader!, 'mute', author!, true);
    await settled(t);
    expect(await pushedFeed(t, reader!.id)).toEqual([]);
    expect(await walkFeed(t, reader!, 10)).toEqual([]);
    await setEdge(t, reader!, 'mute', author!, false);
    await settled(t);
    expect(await pushedFeed(t, reader!.id)).toEqual(posts);

    await deletePost(t, author!, posts[1]!);
    await settled(t);
    expect(await pushedFeed(t, reader!.id)).toEqual([posts[0], posts[2]]);
    expect(await walkFeed(t, reader!, 10)).toEqual([posts[0], posts[2]]);

    await setEdge(t, reader!, 'follow', author!, false);
    await settled(t);
    expect(await pushedFeed(t, reader!.id)).toEqual([]);

    await setEdge(t, reader!, 'follow', author!, true);
    await settled(t);
    expect(await pushedFeed(t, reader!.id)).toHaveLength(2);
    await setEdge(t, author!, 'block', reader!, true);
    await settled(t);
    expect(await pushedFeed(t, reader!.id)).toEqual([]);
    expect(await walkFeed(t, reader!, 10)).toEqual([]);
  });

  it('answers 400 naming the field for a tampered cursor or a bad limit', async () => {
    const [u] = await readers(1);
    const auth = { token: u!.accessToken };
    const forged = Buffer.from(JSON.stringify({ id: "1' OR 1=1" })).toString('base64url');
    for (const [query, field] of [
      [`cursor=${forged}`, 'cursor'],
      ['cursor=not-a-cursor', 'cursor'],
      ['limit=0', 'limit'],
      ['limit=abc', 'limit'],
    ] as const) {
      const res = await t.get(`/v1/social/feed?${query}`, auth);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect((res.json().errors as { field: string }[]).map((e) => e.field)).toContain(field);
    }
    expect((await t.get('/v1/social/feed')).statusCode).toBe(401);
  });
});
