import { createTestApp, type TestApp, type TestUser } from '@app/testing';
import { ObjectStorage } from '@app/platform';
import { multipartBody } from '../../libs/testing/media-uploads.js';
import { videoFixture } from '../../libs/testing/video-fixtures.js';
import { videoKeys } from '../../src/streaming/content/video-keys.js';
import { createVideo, getVideo, uploadSourceRaw, uploadVideo } from './helpers.js';

const MAX_MULTIPART = 6_000_000;

describe('streaming: videos and the multipart source upload (real ffprobe)', () => {
  let t: TestApp;
  let ann: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ env: { STREAMING_MAX_MULTIPART_BYTES: String(MAX_MULTIPART) } });
    [ann, bob] = await Promise.all([t.newUser(), t.newUser()]);
  }, 60_000);
  afterAll(() => t?.close());

  const uploadedEvents = async (videoId: string) =>
    t.dataSource.query<{ payload: Record<string, unknown> }[]>(
      `SELECT payload FROM platform.outbox WHERE type = 'streaming.video-uploaded'
          AND payload @> $1::jsonb`,
      [JSON.stringify({ videoId })],
    );
  const stored = (videoId: string) =>
    (t.resolve(ObjectStorage as never) as ObjectStorage).head(videoKeys.source(videoId));

  it('creates a video UPLOADING with upload links and a timeline entry', async () => {
    const v = await createVideo(t, ann, { title: '  Hello  ', tags: ['Sea', 'sea', 'Travel'] });
    expect(v.state).toBe('UPLOADING');
    expect(v.title).toBe('Hello');
    expect(v.tags).toEqual(['sea', 'travel']);
    expect(v.visibility).toBe('public');
    expect(v.upload?.multipartUrl).toBe(`/v1/streaming/videos/${v.id}/source`);
    expect(v.timeline.map((e) => e.state)).toEqual(['UPLOADING']);
  });

  it('refuses bad fields with 400 naming them', async () => {
    for (const body of [
      { title: '' },
      { title: 'x'.repeat(201) },
      { title: 'ok', description: 'd'.repeat(5001) },
      { title: 'ok', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) },
      { title: 'ok', tags: ['x'.repeat(41)] },
      { title: 'ok', visibility: 'secret' },
    ]) {
      const res = await t.post('/v1/streaming/videos', body, { token: ann.accessToken });
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
    }
  });

  it('accepts a 720p upload: UPLOADED with probe fields and exactly one video-uploaded', async () => {
    const v = await uploadVideo(t, ann, 'p720');
    expect(v.state).toBe('UPLOADED');
    expect(v).toMatchObject({ width: 1280, height: 720, fps: 30, hasAudio: true });
    expect(v.durationMs).toBeGreaterThan(1900);
    expect(v.durationMs).toBeLessThan(2200);
    expect(v.sourceBytes).toBeGreaterThan(0);
    expect(v.upload).toBeUndefined();
    expect(v.timeline.map((e) => e.state)).toEqual(['UPLOADING', 'UPLOADED']);
    expect(await stored(v.id)).toMatchObject({ size: v.sourceBytes });
    const events = await uploadedEvents(v.id);
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toMatchObject({ channelId: ann.id, width: 1280, height: 720 });
    // A second upload of the same video is refused: it is no longer UPLOADING.
    const again = await uploadSourceRaw(t, ann, v.id, await videoFixture('p720'));
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'streaming.invalid_state' });
    expect(await uploadedEvents(v.id)).toHaveLength(1);
  });

  it('keeps a portrait source portrait', async () => {
    const v = await uploadVideo(t, ann, 'portrait');
    expect(v.height).toBeGreaterThan(v.width!);
  });

  it.each([
    ['notVideo', 415, 'streaming.not_a_video'],
    ['audioOnly', 422, 'streaming.no_video_stream'],
    ['corrupt', 422, 'streaming.corrupt_video'],
  ] as const)('refuses %s with %i %s, leaving nothing behind', async (kind, status, code) => {
    const v = await createVideo(t, ann);
    const res = await uploadSourceRaw(t, ann, v.id, await videoFixture(kind));
    expect(res.statusCode, res.body).toBe(status);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code });
    if (kind === 'corrupt') expect(String(res.json().reason)).not.toContain('/tmp');
    expect(await stored(v.id)).toBeUndefined();
    expect(await uploadedEvents(v.id)).toHaveLength(0);
    const after = await getVideo(t, ann, v.id);
    expect(after.state).toBe('UPLOADING');
    expect(after.timeline.at(-1)).toMatchObject({ state: 'UPLOAD_REJECTED' });
  });

  it('refuses a file over the multipart limit with 413', async () => {
    const v = await createVideo(t, ann);
    const { payload, contentType } = multipartBody([
      { name: 'file', data: Buffer.alloc(MAX_MULTIPART + 1000, 7), filename: 'big.mp4' },
    ]);
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/streaming/videos/${v.id}/source`,
      headers: { authorization: `Bearer ${ann.accessToken}`, 'content-type': contentType },
      payload,
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({
      code: 'streaming.upload_too_large',
      maxBytes: MAX_MULTIPART,
    });
    expect(await stored(v.id)).toBeUndefined();
  });

  it('lets only the channel upload, change and delete', async () => {
    const v = await createVideo(t, ann, { title: 'mine' });
    const upload = await uploadSourceRaw(t, bob, v.id, await videoFixture('p720'));
    expect(upload.statusCode).toBe(404);
    const token = { token: bob.accessToken };
    const patch = await t.request('PATCH', `/v1/streaming/videos/${v.id}`, { title: 'x' }, token);
    expect(patch.statusCode).toBe(404);
    expect(
      (await t.request('DELETE', `/v1/streaming/videos/${v.id}`, undefined, token)).statusCode,
    ).toBe(404);
    // Once READY and public, bob sees it but still cannot change it.
    await t.dataSource.query(`UPDATE streaming.videos SET state = 'READY' WHERE id = $1`, [v.id]);
    expect(
      (await t.request('PATCH', `/v1/streaming/videos/${v.id}`, { title: 'x' }, token)).statusCode,
    ).toBe(403);
    expect(
      (await t.request('DELETE', `/v1/streaming/videos/${v.id}`, undefined, token)).statusCode,
    ).toBe(403);
    const mine = { token: ann.accessToken };
    const changed = await t.request(
      'PATCH',
      `/v1/streaming/videos/${v.id}`,
      { title: 'new', visibility: 'unlisted' },
      mine,
    );
    expect(changed.json()).toMatchObject({ title: 'new', visibility: 'unlisted' });
    expect(
      (await t.request('DELETE', `/v1/streaming/videos/${v.id}`, undefined, mine)).statusCode,
    ).toBe(204);
    expect((await t.get(`/v1/streaming/videos/${v.id}`, mine)).statusCode).toBe(404);
  });

  it('deletes a video’s stored source', async () => {
    const v = await uploadVideo(t, ann, 'p720');
    expect(await stored(v.id)).toBeDefined();
    const res = await t.request('DELETE', `/v1/streaming/videos/${v.id}`, undefined, {
      token: ann.accessToken,
    });
    expect(res.statusCode).toBe(204);
    await vi.waitFor(async () => expect(await stored(v.id)).toBeUndefined(), { timeout: 5000 });
  });

  it('lists your videos in every state, others’ only READY and listed', async () => {
    const carl = await t.newUser();
    const ids: Record<string, string> = {};
    for (const vis of ['public', 'unlisted', 'private', 'subscribers'] as const) {
      ids[vis] = (await createVideo(t, carl, { visibility: vis })).id;
    }
    const uploading = (await createVideo(t, carl)).id;
    await t.dataSource.query(`UPDATE streaming.videos SET state = 'READY' WHERE id = ANY($1)`, [
      Object.values(ids),
    ]);
    const url = `/v1/streaming/videos?channelId=${carl.id}&limit=2`;
    const seen: string[] = [];
    let next: string | null = url;
    while (next) {
      const page: { items: { id: string }[]; nextCursor: string | null } = (
        await t.get(next, { token: carl.accessToken })
      ).json();
      seen.push(...page.items.map((i: { id: string }) => i.id));
      next = page.nextCursor ? `${url}&cursor=${page.nextCursor}` : null;
    }
    expect(seen).toEqual([uploading, ids.subscribers, ids.private, ids.unlisted, ids.public]);
    const others = (
      await t.get(`/v1/streaming/videos?channelId=${carl.id}`, { token: bob.accessToken })
    ).json();
    expect(others.items.map((i: { id: string }) => i.id)).toEqual([ids.subscribers, ids.public]);
  });
});
