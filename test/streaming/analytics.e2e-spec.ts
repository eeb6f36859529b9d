import { createTestApp, type TestApp, type TestUser } from '@app/testing';
import { v7 as uuidv7 } from 'uuid';
import { Rollups } from '../../src/streaming/analytics/rollups.js';
import { Trending } from '../../src/streaming/analytics/trending.js';
import { insertVideo } from './video-rows.js';

interface Beat {
  sessionId: string;
  positionMs: number;
  watchedMs: number;
  event?: string;
}

describe('streaming analytics: views at 10 s once per hour, rollups, channel analytics, trending', () => {
  let t: TestApp;
  let channel: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    channel = await t.newUser();
  });
  afterAll(() => t.close());

  const beat = (user: TestUser, videoId: string, body: Beat) =>
    t.post(`/v1/streaming/videos/${videoId}/heartbeats`, body, { token: user.accessToken });
  const counted = async (user: TestUser, videoId: string, body: Beat) => {
    const res = await beat(user, videoId, body);
    expect(res.statusCode, res.body).toBe(202);
    return (res.json() as { counted: boolean }).counted;
  };
  const views = async (videoId: string) => {
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM streaming.views WHERE video_id = $1`,
      [videoId],
    );
    const [{ views: total }] = await t.dataSource.query(
      `SELECT views::int FROM streaming.videos WHERE id = $1`,
      [videoId],
    );
    const [{ events }] = await t.dataSource.query(
      `SELECT count(*)::int AS events FROM platform.outbox
        WHERE type = 'streaming.view-counted' AND payload->>'videoId' = $1`,
      [videoId],
    );
    expect(total).toBe(n);
    expect(events).toBe(n);
    return n as number;
  };

  it('counts a view at 10 s watched, not at 9 s, and once per viewer per hour', async () => {
    const video = await insertVideo(t, { channelId: channel.id });
    const viewer = await t.newUser();
    const s1 = uuidv7();
    expect(await counted(viewer, video, { sessionId: s1, positionMs: 5000, watchedMs: 5000 })).toBe(
      false,
    );
    expect(await counted(viewer, video, { sessionId: s1, positionMs: 9000, watchedMs: 4000 })).toBe(
      false,
    );
    expect(await views(video)).toBe(0);
    expect(
      await counted(viewer, video, { sessionId: s1, positionMs: 10_000, watchedMs: 1000 }),
    ).toBe(true);
    expect(
      await counted(viewer, video, { sessionId: s1, positionMs: 20_000, watchedMs: 10_000 }),
    ).toBe(false);
    // Another session of the same viewer within the hour: no second view.
    const s2 = uuidv7();
    expect(
      await counted(viewer, video, { sessionId: s2, positionMs: 30_000, watchedMs: 30_000 }),
    ).toBe(false);
    expect(await views(video)).toBe(1);
    // An hour later it counts again.
    await t.dataSource.query(
      `UPDATE streaming.last_views SET last_view_at = last_view_at - interval '61 minutes' WHERE video_id = $1`,
      [video],
    );
    await t.dataSource.query(
      `UPDATE streaming.views SET at = at - interval '61 minutes', hour = hour - interval '1 hour' WHERE video_id = $1`,
      [video],
    );
    expect(
      await counted(viewer, video, { sessionId: uuidv7(), positionMs: 1, watchedMs: 12_000 }),
    ).toBe(true);
    expect(await views(video)).toBe(2);
  });

  it('counts exactly one view under 10 concurrent heartbeats (one session, or ten)', async () => {
    const video = await insertVideo(t, { channelId: channel.id });
    const a = await t.newUser();
    const b = await t.newUser();
    const session = uuidv7();
    const results = await Promise.all([
      ...Array.from({ length: 10 }, (_, i) =>
        counted(a, video, { sessionId: session, positionMs: i * 1000, watchedMs: 1000 }),
      ),
      ...Array.from({ length: 10 }, () =>
        counted(b, video, { sessionId: uuidv7(), positionMs: 15_000, watchedMs: 15_000 }),
      ),
    ]);
    expect(results.slice(0, 10).filter(Boolean)).toHaveLength(1);
    expect(results.slice(10).filter(Boolean)).toHaveLength(1);
    expect(await views(video)).toBe(2);
    const [{ watched }] = await t.dataSource.query(
      `SELECT watched_ms::int AS watched FROM streaming.watch_sessions WHERE session_id = $1`,
      [session],
    );
    expect(watched).toBe(10_000);
  });

  it('refuses videos you cannot play and bad heartbeats', async () => {
    const viewer = await t.newUser();
    const priv = await insertVideo(t, { channelId: channel.id, visibility: 'private' });
    const res = await beat(viewer, priv, { sessionId: uuidv7(), positionMs: 0, watchedMs: 1 });
    expect(res.statusCode).toBe(404);
    const pub = await insertVideo(t, { channelId: channel.id });
    const bad = await beat(viewer, pub, { sessionId: 'x', positionMs: -1, watchedMs: 1 });
    expect(bad.statusCode).toBe(400);
    const fields = (bad.json() as { errors: { field: string }[] }).errors.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['sessionId', 'positionMs']));
  });

  it('rolls up the hour idempotently and the channel analytics equal what was sent', async () => {
    const owner = await t.newUser();
    const video = await insertVideo(t, { channelId: owner.id, durationMs: 40_000 });
    const other = await insertVideo(t, { channelId: owner.id, durationMs: 60_000 });
    const v1 = await t.newUser();
    const v2 = await t.newUser();
    const s1 = uuidv7();
    // v1 watches the whole video (12 + 24 = 36 s watched, ends at 40 s: a completion).
    await counted(v1, video, {
      sessionId: s1,
      positionMs: 12_000,
      watchedMs: 12_000,
      event: 'play',
    });
    await counted(v1, video, {
      sessionId: s1,
      positionMs: 40_000,
      watchedMs: 24_000,
      event: 'ended',
    });
    // v2 watches 8 s (no view); 45 s clamps to 30 s on `other` (a view, no completion).
    await counted(v2, video, { sessionId: uuidv7(), positionMs: 8000, watchedMs: 8000 });
    await counted(v2, other, { sessionId: uuidv7(), positionMs: 30_000, watchedMs: 45_000 });

    const rollups = t.resolve(Rollups);
    const read = () =>
      t.dataSource.query(
        `SELECT video_id, hour, views, watch_ms::int, completions, unique_viewers
           FROM streaming.video_hourly_stats WHERE video_id = ANY($1) ORDER BY video_id, hour`,
        [[video, other]],
      );
    await rollups.recomputeRecent();
    const first = await read();
    await rollups.recomputeRecent();
    expect(await read()).toEqual(first);
    expect(first.map((r: Record<string, unknown>) => ({ ...r, hour: undefined }))).toEqual(
      [
        {
          video_id: video,
          hour: undefined,
          views: 1,
          watch_ms: 44_000,
          completions: 1,
          unique_viewers: 2,
        },
        {
          video_id: other,
          hour: undefined,
          views: 1,
          watch_ms: 30_000,
          completions: 0,
          unique_viewers: 1,
        },
      ].sort((a, b) => (a.video_id < b.video_id ? -1 : 1)),
    );

    const res = await t.get(`/v1/streaming/channels/${owner.id}/analytics`, {
      token: owner.accessToken,
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.totals).toEqual({ views: 2, watchMs: 74_000, completions: 1, completionRate: 0.5 });
    const byId = Object.fromEntries(body.videos.map((v: { videoId: string }) => [v.videoId, v]));
    expect(byId[video]).toMatchObject({
      views: 1,
      watchMs: 44_000,
      completions: 1,
      completionRate: 1,
      lifetimeViews: 1,
    });
    expect(byId[other]).toMatchObject({
      views: 1,
      watchMs: 30_000,
      completions: 0,
      completionRate: 0,
    });
    expect(body.hourly).toHaveLength(7 * 24 + 1);
    const hot = body.hourly.filter((h: { views: number }) => h.views > 0);
    expect(hot).toEqual([expect.objectContaining({ views: 2, watchMs: 74_000, uniqueViewers: 3 })]);
    expect(body.computedAt).not.toBeNull();

    const stranger = await t.get(`/v1/streaming/channels/${owner.id}/analytics`, {
      token: v1.accessToken,
    });
    expect(stranger.statusCode).toBe(403);
    expect(stranger.json().code).toBe('streaming.analytics_forbidden');
    const admin = await t.newUser({ roles: ['admin'] });
    const asAdmin = await t.get(`/v1/streaming/channels/${owner.id}/analytics`, {
      token: admin.accessToken,
    });
    expect(asAdmin.json().totals.views).toBe(2);
    const inverted = await t.get(
      `/v1/streaming/channels/${owner.id}/analytics?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z`,
      { token: owner.accessToken },
    );
    expect(inverted.statusCode).toBe(400);
    expect(inverted.json().errors[0].field).toBe('from');
  });

  it('orders trending by recent, decaying views; public READY only; then the newest', async () => {
    const ch = (await t.newUser()).id;
    const a = await insertVideo(t, { channelId: ch, title: 'A' });
    const b = await insertVideo(t, { channelId: ch, title: 'B' });
    const c = await insertVideo(t, { channelId: ch, title: 'C' });
    const hidden = await insertVideo(t, { channelId: ch, title: 'U', visibility: 'unlisted' });
    const old = await insertVideo(t, { channelId: ch, title: 'Old' });
    const fresh = await insertVideo(t, { channelId: ch, title: 'Fresh, unseen' });
    const addViews = async (videoId: string, n: number, hoursAgo: number) => {
      for (let i = 0; i < n; i++) {
        await t.dataSource.query(
          `INSERT INTO streaming.views (id, video_id, viewer_id, session_id, at, hour)
           VALUES ($1, $2, $3, $3, now() - make_interval(hours => $4),
                   date_trunc('hour', now() - make_interval(hours => $4), 'UTC'))`,
          [uuidv7(), videoId, uuidv7(), hoursAgo],
        );
      }
    };
    await addViews(a, 5, 1); // 5 × 0.94 ≈ 4.7
    await addViews(b, 3, 0); // 3
    await addViews(c, 10, 40); // 10 × 0.1 ≈ 1
    await addViews(hidden, 50, 0);
    await addViews(old, 100, 49); // outside the window
    const res = await t.get('/v1/streaming/trending?limit=50');
    expect(res.statusCode).toBe(200);
    const items = res.json().items as { id: string; score: number; recentViews: number }[];
    // Only this test's videos (the other tests' views are recent too).
    const mine = new Set([a, b, c, hidden, old, fresh]);
    const order = items.map((i) => i.id).filter((id) => mine.has(id));
    expect(order.slice(0, 3)).toEqual([a, b, c]);
    expect(items.find((i) => i.id === a)!.score).toBeCloseTo(
      Math.log10(1 + 5 * 0.5 ** (1 / 12)),
      3,
    );
    expect(order).not.toContain(hidden);
    expect(order.indexOf(fresh)).toBeLessThan(order.indexOf(old));
    expect(items.find((i) => i.id === old)!.score).toBe(0);
    const top = await t.resolve(Trending).top(50, [a]);
    expect(top.map((v) => v.id)).not.toContain(a);
    expect(top.map((v) => v.id)).toContain(b);
  });
});
