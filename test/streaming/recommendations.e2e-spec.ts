import { Transactions } from '@app/platform';
import { createTestApp, settled, type TestApp, type TestUser } from '@app/testing';
import { v7 as uuidv7 } from 'uuid';
import { RecoFeatures } from '../../src/streaming/recommendations/reco-features.js';
import { ViewCounted, WatchCompleted } from '../../src/streaming/streaming.events.js';
import { insertVideo } from './video-rows.js';

interface Item {
  id: string;
  title: string;
  channelId: string;
  durationMs: number | null;
  views: number;
  reason: string;
  becauseOf?: string;
}

describe('streaming recommendations: co-visitation related videos, the personalised shelf, cold start', () => {
  let t: TestApp;
  let features: RecoFeatures;
  beforeAll(async () => {
    t = await createTestApp();
    features = t.resolve(RecoFeatures);
  });
  afterAll(() => t.close());

  const video = (opts: Parameters<typeof insertVideo>[1] = { channelId: uuidv7() }) =>
    insertVideo(t, opts);
  const videos = (n: number) => Promise.all(Array.from({ length: n }, () => video()));

  /** Publishes counted views as analytics does (internal events through the outbox). */
  async function views(viewerId: string, videoIds: string[], at = Date.now()): Promise<void> {
    await t.resolve(Transactions).run((tx) =>
      tx.publish(
        ...videoIds.map(
          (videoId, n) =>
            new ViewCounted({
              videoId,
              channelId: uuidv7(),
              viewerId,
              at: new Date(at + n * 60_000).toISOString(),
            }),
        ),
      ),
    );
  }
  async function finished(viewerId: string, videoId: string): Promise<void> {
    await t
      .resolve(Transactions)
      .run((tx) =>
        tx.publish(new WatchCompleted({ videoId, viewerId, at: new Date().toISOString() })),
      );
  }
  async function list(url: string, user: TestUser): Promise<Item[]> {
    const res = await t.get(url, { token: user.accessToken });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { items: Item[] }).items;
  }

  it('related(i) ranks by c_ij / (c_i · c_j): a specific co-watch above a popular one, a single co-viewer below the threshold', async () => {
    const [i, popular, specific, once] = await videos(4);
    const viewers = Array.from({ length: 4 }, () => uuidv7());
    for (const [n, v] of viewers.entries()) {
      await views(v, [i!, popular!, ...(n < 3 ? [specific!] : []), ...(n === 3 ? [once!] : [])]);
    }
    // `popular` is watched by 8 more viewers, alone: c_popular = 12.
    for (let n = 0; n < 8; n++) await views(uuidv7(), [popular!]);
    await settled(t);

    expect(await features.counts([i!, popular!, specific!, once!])).toEqual([4, 12, 3, 1]);
    expect(await features.pairCount(i!, popular!)).toBe(4);
    expect(await features.pairCount(specific!, i!)).toBe(3);
    // r(i, specific) = 3 / (4 · 3) = 0.25 > r(i, popular) = 4 / (4 · 12) ≈ 0.083.
    const user = await t.newUser();
    const items = await list(`/v1/streaming/videos/${i}/related?limit=10`, user);
    const together = items.filter((x) => x.reason === 'watched-together');
    expect(together.map((x) => x.id)).toEqual([specific, popular]);
    expect(together.every((x) => x.becauseOf === i)).toBe(true);
    // The rest is trending fill: never the video itself, never a duplicate.
    expect(items.slice(2).every((x) => x.reason === 'trending' && x.becauseOf === undefined)).toBe(
      true,
    );
    expect(items.map((x) => x.id)).not.toContain(i);
    expect(new Set(items.map((x) => x.id)).size).toBe(items.length);
    expect(together[0]).toMatchObject({ title: expect.any(String), durationMs: 60_000, views: 0 });
  });

  it('a view delivered twice (or as two events) counts once; a view inside the 24 h session counts nothing', async () => {
    const [a, b] = await videos(2);
    const viewer = uuidv7();
    const at = Date.now() - 3_600_000;
    await views(viewer, [a!, b!], at);
    await views(viewer, [a!, b!], at); // the same views again, as new events
    await settled(t);
    expect(await features.counts([a!, b!])).toEqual([1, 1]);
    expect(await features.pairCount(a!, b!)).toBe(1);
    expect(await features.pairCount(b!, a!)).toBe(1);
    // A consumer's Redis write repeated after a failed commit: the script counts nothing.
    expect(await features.recordView(viewer, b!, at + 60_000)).toBe(-1);
    // Watching `a` again an hour later is the same session.
    expect(await features.recordView(viewer, a!, at + 3_600_000)).toBe(-1);
    expect(await features.counts([a!, b!])).toEqual([1, 1]);
    // 24.5 h later: `b` (viewed at +1 min) left the window, `a` (refreshed at +1 h) is in it.
    const [c] = await videos(1);
    expect(await features.recordView(viewer, c!, at + 24.5 * 3_600_000)).toBe(1); // pairs with `a`
    expect(await features.pairCount(c!, a!)).toBe(1);
    expect(await features.pairCount(c!, b!)).toBe(0);
  });

  it('recommendations: neighbours of what you watched, minus finished and private videos, at most 2 per channel', async () => {
    const seed = await video();
    const done = await video();
    const other = await video();
    const hidden = await video({ channelId: uuidv7(), visibility: 'private' });
    const unlisted = await video({ channelId: uuidv7(), visibility: 'unlisted' });
    const busy = uuidv7();
    const fromBusy = await Promise.all([1, 2, 3].map(() => video({ channelId: busy })));
    const cowatched = [done, other, hidden, unlisted, ...fromBusy];
    for (let n = 0; n < 3; n++) await views(uuidv7(), [seed, ...cowatched]);

    const me = await t.newUser();
    await views(me.id, [seed, done], Date.now() - 60_000);
    await finished(me.id, done);
    await settled(t);

    const items = await list('/v1/streaming/recommendations?limit=20', me);
    const personal = items.filter((x) => x.reason === 'because-you-watched');
    const ids = personal.map((x) => x.id);
    expect(ids).toContain(other);
    // A finished video still seeds: finishing it is the strongest taste signal.
    expect([seed, done]).toContain(personal.find((x) => x.id === other)!.becauseOf);
    expect(items.map((x) => x.id)).not.toContain(done);
    expect(items.map((x) => x.id)).not.toContain(hidden);
    expect(items.map((x) => x.id)).not.toContain(unlisted);
    expect(ids.filter((id) => fromBusy.includes(id))).toHaveLength(2);
    expect(items.filter((x) => x.channelId === busy)).toHaveLength(2);
    // The neighbours come before any trending fill.
    const firstTrending = items.findIndex((x) => x.reason === 'trending');
    if (firstTrending >= 0) expect(firstTrending).toBeGreaterThanOrEqual(personal.length);
    // What you viewed but did not finish ranks below what you have not seen.
    const seedAt = ids.indexOf(seed);
    if (seedAt >= 0) expect(seedAt).toBeGreaterThan(ids.indexOf(other));
  });

  it('cold start: a viewer without history gets trending, hottest first; related of a video without neighbours too', async () => {
    const [top, second] = await videos(2);
    const hidden = await video({ channelId: uuidv7(), visibility: 'private' });
    // Recent views (analytics' trending ranks on them): 30, 20, and 50 for a private video.
    await t.dataSource.query(
      `INSERT INTO streaming.views (id, video_id, viewer_id, session_id, at, hour)
       SELECT gen_random_uuid(), v.id, gen_random_uuid(), gen_random_uuid(),
              now() - interval '1 minute', date_trunc('hour', now() - interval '1 minute', 'UTC')
         FROM unnest($1::uuid[], $2::int[]) AS v(id, n), generate_series(1, v.n)`,
      [
        [top, second, hidden],
        [30, 20, 50],
      ],
    );
    const newcomer = await t.newUser();
    const items = await list('/v1/streaming/recommendations?limit=5', newcomer);
    expect(items).toHaveLength(5);
    expect(items.every((x) => x.reason === 'trending')).toBe(true);
    expect(items.slice(0, 2).map((x) => x.id)).toEqual([top, second]);
    expect(items.map((x) => x.id)).not.toContain(hidden);
    expect(new Set(items.map((x) => x.id)).size).toBe(5);

    const [lonely] = await videos(1);
    const related = await list(`/v1/streaming/videos/${lonely}/related?limit=3`, newcomer);
    expect(related.map((x) => x.id)).toEqual([top, second, related[2]!.id]);
    expect(related.every((x) => x.reason === 'trending')).toBe(true);
  });

  it('related: 404 for a video you cannot see, 400 for a bad limit or id, 401 without a token', async () => {
    const owner = await t.newUser();
    const mine = await video({ channelId: owner.id, visibility: 'private' });
    const stranger = await t.newUser();
    const res = await t.get(`/v1/streaming/videos/${mine}/related`, {
      token: stranger.accessToken,
    });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'streaming.video_not_found' });
    expect(
      (await t.get(`/v1/streaming/videos/${mine}/related`, { token: owner.accessToken }))
        .statusCode,
    ).toBe(200);
    expect(
      (await t.get(`/v1/streaming/videos/${uuidv7()}/related`, { token: owner.accessToken }))
        .statusCode,
    ).toBe(404);
    const bad = await t.get(`/v1/streaming/recommendations?limit=0`, { token: owner.accessToken });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('limit');
    expect(
      (await t.get(`/v1/streaming/videos/nope/related`, { token: owner.accessToken })).statusCode,
    ).toBe(400);
    expect((await t.get(`/v1/streaming/recommendations`)).statusCode).toBe(401);
  });
});
