import {
  PostCommented,
  PostLiked,
  PostShared,
  UserFollowed,
  UserMentioned,
  type SocialActivityPayload,
} from '@app/contracts/social';
import type { EventEnvelope } from '@app/contracts';
import { Inbox, Realtime, Transactions } from '@app/platform';
import { createTestApp, eventually, type TestApp, type TestUser } from '@app/testing';
import { v7 as uuidv7 } from 'uuid';
import { newSocialUser } from '../social/helpers.js';
import { markContactsVerified, notificationProfile, settledWithNotifications } from './helpers.js';

interface InboxItem {
  id: string;
  eventType: string;
  priority: string;
  title: string;
  body: string;
  readAt: string | null;
  count: number;
  actors: string[];
}

describe('notifications: social activity — priorities, grouped bursts, never to yourself, once', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const activity = (
    recipient: TestUser,
    actor: { id: string; displayName: string },
    extra: Partial<SocialActivityPayload> = {},
  ): SocialActivityPayload => ({
    recipientId: recipient.id,
    actorId: actor.id,
    actorHandle: actor.displayName.replace(/\W/g, '_'),
    actorDisplayName: actor.displayName,
    occurredAt: new Date().toISOString(),
    ...extra,
  });
  const publish = (...events: { metadata?: { id: string } }[]) =>
    t.resolve(Transactions).run(async (tx) => {
      for (const e of events) await tx.publish(e as PostLiked);
    });
  const inbox = async (user: TestUser, query = ''): Promise<InboxItem[]> =>
    (await t.get(`/v1/notifications${query}`, { token: user.accessToken })).json().items;
  const rowsOf = (user: TestUser): Promise<{ event_type: string; channel: string }[]> =>
    t.dataSource.query(
      `SELECT event_type, channel FROM notifications.notifications WHERE user_id = $1 AND event_type LIKE 'social.%' ORDER BY channel`,
      [user.id],
    );
  const someone = (name: string) => ({ id: uuidv7(), displayName: name });

  it('routes likes and shares low, comments normal, mentions high (push, or email when push is off)', async () => {
    const rita = await t.newUser({ displayName: 'Rita' });
    await markContactsVerified(t, rita);
    const prefs = await t.request(
      'PUT',
      '/v1/notifications/preferences',
      { pushToken: 'device-token-rita' },
      { token: rita.accessToken },
    );
    expect(prefs.statusCode, prefs.body).toBe(200);
    const ann = someone('Ann Lee');
    const postId = uuidv7();
    await publish(
      new PostLiked(activity(rita, ann, { postId, excerpt: 'hello' })),
      new PostShared(activity(rita, ann, { postId })),
      new PostCommented({
        ...activity(rita, ann, { postId, excerpt: 'nice' }),
        commentId: uuidv7(),
      }),
      new UserMentioned(activity(rita, ann, { postId: uuidv7(), excerpt: 'hey @rita' })),
    );
    await settledWithNotifications(t);
    const channels = (await rowsOf(rita)).map((r) => `${r.event_type}:${r.channel}`).sort();
    expect(channels).toEqual(
      [
        'social.post-commented:in_app',
        'social.post-commented:push',
        'social.post-liked:in_app',
        'social.post-shared:in_app',
        'social.user-mentioned:in_app',
        'social.user-mentioned:push',
      ].sort(),
    );
    const items = await inbox(rita);
    const mention = items.find((i) => i.eventType === 'social.user-mentioned')!;
    expect(mention).toMatchObject({
      priority: 'high',
      title: 'Ann Lee mentioned you',
      body: 'hey @rita',
      count: 1,
      actors: ['Ann Lee'],
    });
    expect(items.find((i) => i.eventType === 'social.post-liked')).toMatchObject({
      priority: 'low',
      title: 'Ann Lee liked your post',
      body: 'hello',
    });
    expect(items.find((i) => i.eventType === 'social.post-commented')?.priority).toBe('normal');

    // Push off: a mention goes to the (verified) email instead; a comment stays in-app only.
    const off = await t.request(
      'PUT',
      '/v1/notifications/preferences',
      { push: false },
      { token: rita.accessToken },
    );
    expect(off.json()).toMatchObject({ push: false, pushToken: '••••', emailVerified: true });
    await publish(new UserMentioned(activity(rita, ann, { postId: uuidv7(), excerpt: 'again' })));
    await settledWithNotifications(t);
    const delivered = await t.dataSource.query(
      `SELECT channel, status FROM notifications.notifications WHERE user_id = $1 AND body = 'again' ORDER BY channel`,
      [rita.id],
    );
    expect(delivered).toEqual([
      { channel: 'email', status: 'sent' },
      { channel: 'in_app', status: 'sent' },
    ]);
  });

  it('collapses a burst of likes into "Ann and 12 others liked your post"; read marks the burst', async () => {
    const poster = await t.newUser({ displayName: 'Poster' });
    await notificationProfile(t, poster);
    const postId = uuidv7();
    const likers = Array.from({ length: 13 }, (_, i) => someone(`Liker ${i + 1}`));
    // One by one, oldest first: the newest liker is the last one.
    for (const liker of likers) {
      await publish(new PostLiked(activity(poster, liker, { postId, excerpt: 'my post' })));
    }
    for (const follower of [someone('Fay'), someone('Gus')]) {
      await publish(new UserFollowed(activity(poster, follower)));
    }
    await settledWithNotifications(t);

    const items = await inbox(poster);
    const social = items.filter((i) => i.eventType.startsWith('social.'));
    expect(social).toHaveLength(2);
    const follow = social.find((i) => i.eventType === 'social.user-followed');
    const likes = social.find((i) => i.eventType === 'social.post-liked');
    expect(follow).toMatchObject({
      title: 'Gus and Fay followed you',
      body: expect.stringMatching(/^@/),
      count: 2,
      actors: ['Gus', 'Fay'],
    });
    expect(likes).toMatchObject({
      eventType: 'social.post-liked',
      title: 'Liker 13 and 12 others liked your post',
      body: 'my post',
      count: 13,
      actors: ['Liker 13', 'Liker 12', 'Liker 11'],
      readAt: null,
    });
    // Paging never shows the burst's older members: 1 item a page walks the same list.
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: InboxItem[]; nextCursor: string | null } = (
        await t.get(`/v1/notifications?limit=1${cursor ? `&cursor=${cursor}` : ''}`, {
          token: poster.accessToken,
        })
      ).json();
      paged.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(items.map((i) => i.id));

    const read = await t.post(
      `/v1/notifications/${likes!.id}/read`,
      {},
      { token: poster.accessToken },
    );
    expect(read.statusCode).toBe(200);
    const after = (await inbox(poster, '?limit=100')).filter(
      (i) => i.eventType === 'social.post-liked',
    );
    expect(after).toHaveLength(13);
    expect(after.every((i) => i.readAt !== null && i.count === 1)).toBe(true);
    expect(after[0]!.title).toBe('Liker 13 liked your post');
  });

  it('never tells you about your own action, and tells each recipient once per event', async () => {
    const sam = await t.newUser({ displayName: 'Sam' });
    await notificationProfile(t, sam);
    const mine = activity(sam, { id: sam.id, displayName: 'Sam' }, { postId: uuidv7() });
    const ola = activity(sam, someone('Ola'), { postId: uuidv7() });
    await publish(new PostLiked(mine), new PostLiked(ola));
    await settledWithNotifications(t);
    // The same event delivered again, twice (a redelivery): still one notification.
    const envelopes: EventEnvelope[] = (
      await t.dataSource.query(
        `SELECT DISTINCT ON (event_id) envelope FROM platform.inbox
          WHERE consumer = 'notifications.social-post-liked' AND envelope->'payload'->>'recipientId' = $1`,
        [sam.id],
      )
    ).map((r: { envelope: EventEnvelope }) => r.envelope);
    expect(envelopes).toHaveLength(2);
    await t.resolve(Inbox).dispatch(envelopes);
    await t.resolve(Inbox).dispatch(envelopes);
    await settledWithNotifications(t);
    const rows = await t.dataSource.query(
      `SELECT actor_id, channel FROM notifications.notifications WHERE user_id = $1 AND event_type = 'social.post-liked'`,
      [sam.id],
    );
    expect(rows).toEqual([{ actor_id: ola.actorId, channel: 'in_app' }]);
  });

  it('notifies a follow made through the social API, with the follower as actor', async () => {
    const [vic, wes] = [await newSocialUser(t), await newSocialUser(t)];
    const res = await t.request('PUT', `/v1/social/profiles/${vic.handle}/follow`, undefined, {
      token: wes.accessToken,
    });
    expect(res.statusCode, res.body).toBe(200);
    const item = await eventually(
      async () => {
        const found = (await inbox(vic)).find((i) => i.eventType === 'social.user-followed');
        expect(found).toBeDefined();
        return found!;
      },
      { timeout: 15_000 },
    );
    expect(item).toMatchObject({ priority: 'normal', count: 1, actors: [wes.displayName] });
    expect(item.title).toBe(`${wes.displayName} followed you`);
  });

  it('spends no push on users without an open socket (presence in Redis)', async () => {
    const realtime = t.resolve(Realtime);
    const [online, offline] = [uuidv7(), uuidv7()];
    expect(await realtime.pushToUsers([online, offline], 'notification', {})).toBe(0);
    // What the gateway records for an open socket (expiring a minute from now).
    await t.redis.zadd(
      `${t.redisPrefix}platform:presence:${online}`,
      Date.now() + 60_000,
      'sock-1',
    );
    expect([...(await realtime.isConnected([online, offline, online]))]).toEqual([online]);
    expect(await realtime.pushToUsers([online, offline], 'notification', { hi: 1 })).toBe(1);
    // An entry whose time has passed (its instance died) no longer counts.
    await t.redis.zadd(`${t.redisPrefix}platform:presence:${offline}`, Date.now() - 1, 'sock-2');
    expect((await realtime.isConnected([offline])).size).toBe(0);
  });
});
