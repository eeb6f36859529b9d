import { createTestApp, settled, type TestApp } from '@app/testing';
import { newSocialUser, outboxEvents, relate, type SocialUser } from './helpers.js';

describe('social graph: follows, blocks and mutes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const profile = async (viewer: SocialUser, handle: string) =>
    t.get(`/v1/social/profiles/${handle}`, { token: viewer.accessToken });
  const edges = async (a: SocialUser, b: SocialUser) =>
    (
      await t.dataSource.query<unknown[]>(
        `SELECT 1 FROM social.follows WHERE follower_id = $1 AND followee_id = $2`,
        [a.id, b.id],
      )
    ).length;

  it('follows once however often asked, with exact counts and one event each', async () => {
    const ann = await newSocialUser(t);
    const bob = await newSocialUser(t);
    const first = await relate(t, ann, 'PUT', bob.handle, 'follow');
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({
      userId: bob.id,
      followersCount: 1,
      relationship: { following: true, followedBy: false, blocking: false, muting: false },
    });
    const second = await relate(t, ann, 'PUT', bob.handle.toUpperCase(), 'follow');
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual(first.json());
    expect(await edges(ann, bob)).toBe(1);
    const me = (await t.get('/v1/social/profiles/me', { token: ann.accessToken })).json();
    expect(me.followingCount).toBe(1);
    await settled(t);
    expect(
      await outboxEvents(t, 'social.follow-changed', { followerId: ann.id, followeeId: bob.id }),
    ).toEqual([{ followerId: ann.id, followeeId: bob.id, following: true, followersCount: 1 }]);
    const followed = await outboxEvents(t, 'social.user-followed', { recipientId: bob.id });
    expect(followed).toEqual([
      expect.objectContaining({ actorId: ann.id, actorHandle: ann.handle, recipientId: bob.id }),
    ]);

    const back = await relate(t, bob, 'PUT', ann.handle, 'follow');
    expect(back.json().relationship).toMatchObject({ following: true, followedBy: true });

    const un = await relate(t, ann, 'DELETE', bob.handle, 'follow');
    expect(un.statusCode).toBe(200);
    expect(un.json()).toMatchObject({ followersCount: 0, relationship: { following: false } });
    expect((await relate(t, ann, 'DELETE', bob.handle, 'follow')).json()).toEqual(un.json());
    expect(await edges(ann, bob)).toBe(0);
    await settled(t);
    const changes = await outboxEvents(t, 'social.follow-changed', {
      followerId: ann.id,
      followeeId: bob.id,
    });
    expect(changes.map((c) => c.following)).toEqual([true, false]);
  });

  it('refuses to follow yourself (400) and an unknown handle (404), writing nothing', async () => {
    const ann = await newSocialUser(t);
    const self = await relate(t, ann, 'PUT', ann.handle, 'follow');
    expect(self.statusCode).toBe(400);
    expect(self.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(self.json().code).toBe('social.self_follow');
    const unknown = await relate(t, ann, 'PUT', 'nobody_at_all_42', 'follow');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('social.profile_not_found');
    const bad = await relate(t, ann, 'PUT', 'not-a-handle!', 'follow');
    expect(bad.statusCode).toBe(400);
    const rows = await t.dataSource.query<unknown[]>(
      `SELECT 1 FROM social.follows WHERE follower_id = $1`,
      [ann.id],
    );
    expect(rows).toHaveLength(0);
  });

  it('a block ends both follows and hides each from the other; repeats change nothing', async () => {
    const [ann, bob, cat] = await Promise.all([1, 2, 3].map(() => newSocialUser(t)));
    await relate(t, ann, 'PUT', bob.handle, 'follow');
    await relate(t, bob, 'PUT', ann.handle, 'follow');
    await t.post('/v1/social/posts', { text: 'from ann' }, { token: ann.accessToken });
    const blocked = await relate(t, ann, 'PUT', bob.handle, 'block');
    expect(blocked.statusCode).toBe(200);
    expect(blocked.json()).toMatchObject({
      followersCount: 0,
      followingCount: 0,
      relationship: { following: false, followedBy: false, blocking: true },
    });
    expect((await relate(t, ann, 'PUT', bob.handle, 'block')).json()).toEqual(blocked.json());
    expect(await edges(ann, bob)).toBe(0);
    expect(await edges(bob, ann)).toBe(0);
    const annNow = (await t.get('/v1/social/profiles/me', { token: ann.accessToken })).json();
    expect(annNow).toMatchObject({ followersCount: 0, followingCount: 0 });

    for (const [who, whom] of [
      [ann, bob],
      [bob, ann],
    ] as const) {
      const res = await relate(t, who, 'PUT', whom.handle, 'follow');
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('social.profile_not_found');
    }
    expect((await profile(bob, ann.handle)).statusCode).toBe(404);
    const posts = await t.get(`/v1/social/profiles/${ann.handle}/posts`, {
      token: bob.accessToken,
    });
    expect(posts.statusCode).toBe(404);
    expect(
      (await t.get(`/v1/social/profiles/${ann.handle}/followers`, { token: bob.accessToken }))
        .statusCode,
    ).toBe(404);
    // A bystander still sees both.
    expect((await profile(cat, ann.handle)).statusCode).toBe(200);

    await settled(t);
    expect(
      await outboxEvents(t, 'social.block-changed', { blockerId: ann.id, blockedId: bob.id }),
    ).toEqual([{ blockerId: ann.id, blockedId: bob.id, blocked: true }]);
    const ended = [
      ...(await outboxEvents(t, 'social.follow-changed', { followerId: ann.id, following: false })),
      ...(await outboxEvents(t, 'social.follow-changed', { followerId: bob.id, following: false })),
    ];
    expect(ended).toHaveLength(2);

    const unblocked = await relate(t, ann, 'DELETE', bob.handle, 'block');
    expect(unblocked.json().relationship).toMatchObject({ blocking: false, following: false });
    expect((await relate(t, bob, 'PUT', ann.handle, 'follow')).statusCode).toBe(200);
    await settled(t);
    expect(
      (await outboxEvents(t, 'social.block-changed', { blockerId: ann.id })).map((e) => e.blocked),
    ).toEqual([true, false]);
  });

  it('mutes idempotently, and lists follows, blocks and mutes in cursor pages, each only to its owner', async () => {
    const [ann, bob, ...fans] = await Promise.all([1, 2, 3, 4, 5].map(() => newSocialUser(t)));
    for (const fan of fans) await relate(t, fan, 'PUT', ann.handle, 'follow');
    const auth = { token: bob.accessToken };
    const first = (await t.get(`/v1/social/profiles/${ann.handle}/followers?limit=2`, auth)).json();
    expect(first.items.map((p: { userId: string }) => p.userId)).toEqual([
      fans[2]!.id,
      fans[1]!.id,
    ]);
    expect(first.items[0].relationship).toEqual({
      following: false,
      followedBy: false,
      blocking: false,
      muting: false,
    });
    const second = (
      await t.get(
        `/v1/social/profiles/${ann.handle}/followers?limit=2&cursor=${first.nextCursor}`,
        auth,
      )
    ).json();
    expect(second).toEqual({
      items: [expect.objectContaining({ userId: fans[0]!.id })],
      nextCursor: null,
    });
    const following = (
      await t.get(`/v1/social/profiles/${fans[0]!.handle}/following`, auth)
    ).json();
    expect(following.items.map((p: { userId: string }) => p.userId)).toEqual([ann.id]);
    const badCursor = await t.get(`/v1/social/profiles/${ann.handle}/followers?cursor=nope`, auth);
    expect(badCursor.statusCode).toBe(400);

    const muted = await relate(t, ann, 'PUT', fans[0]!.handle, 'mute');
    expect(muted.statusCode).toBe(200);
    expect(muted.json().relationship).toMatchObject({ muting: true, followedBy: true });
    await relate(t, ann, 'PUT', fans[0]!.handle, 'mute');
    await relate(t, ann, 'PUT', fans[1]!.handle, 'block');
    const annAuth = { token: ann.accessToken };
    const mutes = (await t.get('/v1/social/mutes', annAuth)).json();
    expect(mutes.items.map((p: { userId: string }) => p.userId)).toEqual([fans[0]!.id]);
    const blocks = (await t.get('/v1/social/blocks', annAuth)).json();
    expect(blocks.items).toEqual([
      expect.objectContaining({
        userId: fans[1]!.id,
        relationship: expect.objectContaining({ blocking: true }),
      }),
    ]);
    // Nobody else sees them: Bob's lists are his own (empty), and nothing names Ann's.
    expect((await t.get('/v1/social/mutes', auth)).json()).toEqual({ items: [], nextCursor: null });
    expect((await t.get('/v1/social/blocks', auth)).json()).toEqual({
      items: [],
      nextCursor: null,
    });
    const seen = (await profile(bob, fans[0]!.handle)).json();
    expect(seen.relationship.muting).toBe(false);

    const unmuted = await relate(t, ann, 'DELETE', fans[0]!.handle, 'mute');
    expect(unmuted.json().relationship.muting).toBe(false);
    await relate(t, ann, 'DELETE', fans[0]!.handle, 'mute');
    await settled(t);
    expect(
      (await outboxEvents(t, 'social.mute-changed', { muterId: ann.id })).map((e) => e.muted),
    ).toEqual([true, false]);
    expect((await relate(t, ann, 'PUT', ann.handle, 'mute')).statusCode).toBe(400);
  });

  it('keeps counts exact under concurrent follows of one account and of each other', async () => {
    const [star, ...fans] = await Promise.all(Array.from({ length: 9 }, () => newSocialUser(t)));
    const answers = await Promise.all([
      ...fans.map((f) => relate(t, f, 'PUT', star.handle, 'follow')),
      ...fans.map((f) => relate(t, f, 'PUT', star.handle, 'follow')),
      // Both directions at once: the pair is locked in one order, so no deadlock.
      ...fans.map((f) => relate(t, star, 'PUT', f.handle, 'follow')),
    ]);
    expect(answers.map((r) => r.statusCode)).toEqual(answers.map(() => 200));
    const [row] = await t.dataSource.query<
      { followers_count: number; following_count: number; followers: number; following: number }[]
    >(
      `SELECT followers_count, following_count,
              (SELECT count(*)::int FROM social.follows WHERE followee_id = $1) AS followers,
              (SELECT count(*)::int FROM social.follows WHERE follower_id = $1) AS following
         FROM social.profiles WHERE user_id = $1`,
      [star.id],
    );
    expect(row).toEqual({
      followers_count: 8,
      following_count: 8,
      followers: 8,
      following: 8,
    });
    await settled(t);
    const changes = await outboxEvents(t, 'social.follow-changed', { followeeId: star.id });
    expect(changes.map((c) => c.followersCount).sort((a, b) => Number(a) - Number(b))).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8,
    ]);
  });
});
