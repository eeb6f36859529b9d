import { createTestApp, eventually, settled, type TestApp, type TestUser } from '@app/testing';
import { videoFixture } from '../../libs/testing/video-fixtures.js';
import { videoKeys } from '../../src/streaming/content/video-keys.js';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { ENCODE_QUEUE } from '../../src/streaming/encode/encode-jobs.js';
import { eventCount, seedUploaded } from './encode-support.js';
import { uploadVideo, waitForVideo } from './helpers.js';
import {
  downloadRendition,
  fpsOf,
  keyframeTimes,
  objectBytes,
  parseMaster,
  streamsOf,
} from './hls-assert.js';

/**
 * The encode pipeline with real ffmpeg on the lavfi fixtures: the ladder (no upscaling), HLS
 * output checked with ffprobe and hls-parser, `video-ready` once, a source that cannot be
 * decoded failing fast, and the admin re-drive of one failed rendition.
 */
let t: TestApp;
let user: TestUser;
let admin: TestUser;

beforeAll(async () => {
  t = await createTestApp({
    env: { STREAMING_ENCODE_CONCURRENCY: '2', STREAMING_ENCODE_BACKOFF_MS: '100' },
  });
  user = await t.newUser();
  admin = await t.newUser({ roles: ['admin'] });
});
afterAll(() => t?.close());

const rows = (id: string) =>
  t.dataSource.query(
    `SELECT name, state, attempts, error, updated_at, width, height FROM streaming.renditions
      WHERE video_id = $1 ORDER BY height * width DESC`,
    [id],
  );

it('encodes a 720p source into 720p + 480p HLS (no upscale), spec-checked, ready once', async () => {
  const uploaded = await uploadVideo(t, user, 'p720');
  const video = await waitForVideo(t, user, uploaded.id, ['READY', 'FAILED'], 120_000);
  expect(video.state, JSON.stringify(video.timeline)).toBe('READY');
  expect(video.renditions.map((r) => [r.name, r.height, r.state, r.percent])).toEqual([
    ['720p', 720, 'DONE', 100],
    ['480p', 480, 'DONE', 100],
  ]);
  const master = await parseMaster(t, videoKeys.master(video.id));
  expect(master.variants.map((v) => v.uri)).toEqual(['720p/index.m3u8', '480p/index.m3u8']);
  for (const attr of ['BANDWIDTH=', 'AVERAGE-BANDWIDTH=', 'RESOLUTION=', 'CODECS=', 'FRAME-RATE='])
    expect(master.text.split('\n').filter((l) => l.includes(attr))).toHaveLength(2);
  for (const v of master.variants) {
    expect(v.bandwidth).toBeLessThanOrEqual(2 * v.averageBandwidth!);
    expect(v.codecs).toMatch(/^avc1\.6400[0-9a-f]{2},mp4a\.40\.2$/);
    const name = v.uri.split('/')[0]!;
    const { path, playlist } = await downloadRendition(t, videoKeys.rendition(video.id, name));
    for (const s of playlist.segments) expect(s.duration).toBeLessThanOrEqual(4.1);
    const streams = await streamsOf(path);
    const vs = streams.find((s) => s.codec_type === 'video')!;
    expect(vs).toMatchObject({ codec_tag_string: 'avc1', profile: 'High' });
    expect(vs.height).toBe(v.resolution!.height);
    expect(streams.find((s) => s.codec_type === 'audio')?.codec_tag_string).toBe('mp4a');
    expect(fpsOf(vs)).toBeLessThanOrEqual(30);
  }
  expect((await objectBytes(t, videoKeys.poster(video.id)))?.length).toBeGreaterThan(1000);
  expect((await objectBytes(t, videoKeys.storyboard(video.id)))?.length).toBeGreaterThan(500);
  await settled(t, { timeout: 30_000 });
  expect(await eventCount(t, 'streaming.video-ready', video.id)).toBe(1);
}, 180_000);

it('gives a 1080p source three rungs with a keyframe every 2 s exactly', async () => {
  const uploaded = await uploadVideo(t, user, 'p1080');
  const video = await waitForVideo(t, user, uploaded.id, ['READY', 'FAILED'], 180_000);
  expect(video.state).toBe('READY');
  expect(video.renditions.map((r) => r.name)).toEqual(['1080p', '720p', '480p']);
  const { path } = await downloadRendition(t, videoKeys.rendition(video.id, '1080p'));
  expect(await keyframeTimes(path)).toEqual([0, 2]);
}, 240_000);

it('keeps portrait sources portrait and a silent source silent', async () => {
  const [portrait, silent] = await Promise.all([
    uploadVideo(t, user, 'portrait'),
    uploadVideo(t, user, 'noAudio'),
  ]);
  const p = await waitForVideo(t, user, portrait.id, ['READY', 'FAILED'], 180_000);
  expect(p.renditions.map((r) => [r.name, r.width, r.height])).toEqual([
    ['720p', 720, 1280],
    ['480p', 480, 854],
  ]);
  const s = await waitForVideo(t, user, silent.id, ['READY', 'FAILED'], 180_000);
  expect(s.renditions.map((r) => r.name)).toEqual(['480p']);
  const { path } = await downloadRendition(t, videoKeys.rendition(s.id, '480p'));
  const streams = await streamsOf(path);
  expect(streams.map((x) => x.codec_type)).toEqual(['video']);
  const master = await parseMaster(t, videoKeys.master(s.id));
  expect(master.variants[0]!.codecs).toMatch(/^avc1\.[0-9a-f]{6}$/);
}, 240_000);

it('fails a source that cannot be decoded fast: one attempt, a short reason, video-failed once', async () => {
  const id = await seedUploaded(t, user.id, await videoFixture('corrupt'), {
    width: 1280,
    height: 720,
    fps: 30,
    hasAudio: true,
    durationMs: 2000,
  });
  await settled(t, { timeout: 30_000 });
  const renditions = await rows(id);
  expect(renditions.map((r: { state: string; attempts: number }) => [r.state, r.attempts])).toEqual(
    [
      ['FAILED', 1],
      ['FAILED', 1],
    ],
  );
  for (const r of renditions) expect(r.error.length).toBeLessThanOrEqual(2000);
  const [video] = await t.dataSource.query(
    `SELECT state, failure_reason FROM streaming.videos WHERE id = $1`,
    [id],
  );
  expect(video.state).toBe('FAILED');
  expect(video.failure_reason.length).toBeLessThanOrEqual(300);
  expect(video.failure_reason).toMatch(/^(720p|480p): /);
  expect(await eventCount(t, 'streaming.video-failed', id)).toBe(1);
  expect(await eventCount(t, 'streaming.video-ready', id)).toBe(0);
}, 120_000);

it('re-drives only the failed rendition (admin): the other is untouched, then READY once', async () => {
  // A good source; the 720p rendition's planned width is made odd before it runs, which
  // libx264 refuses — the 720p job fails for good while 480p encodes. The encode queue is
  // paused while the width changes, so no job can start before it.
  const queue = t.app.get<Queue>(getQueueToken(ENCODE_QUEUE));
  await queue.pause();
  const id = await seedUploaded(t, user.id, await videoFixture('p720'), {
    width: 1280,
    height: 720,
    fps: 30,
    hasAudio: true,
    durationMs: 2000,
  });
  await eventually(
    async () => {
      const [, affected] = await t.dataSource.query(
        `UPDATE streaming.renditions SET width = 1281 WHERE video_id = $1 AND name = '720p'`,
        [id],
      );
      expect(affected).toBe(1);
    },
    { timeout: 20_000 },
  );
  await queue.resume();
  await settled(t, { timeout: 60_000 });
  const before = await rows(id);
  const states = before.map((r: { name: string; state: string }) => [r.name, r.state]);
  expect(states).toEqual([
    ['720p', 'FAILED'],
    ['480p', 'DONE'],
  ]);
  const playlist480 = await objectBytes(t, videoKeys.playlist(id, '480p'));
  const other = await t.post(
    `/v1/streaming/videos/${id}/renditions/480p/retry`,
    {},
    {
      token: admin.accessToken,
    },
  );
  expect(other.statusCode).toBe(409);
  expect(other.json().code ?? other.json().type).toMatch(/invalid_state/);
  const notAdmin = await t.post(
    `/v1/streaming/videos/${id}/renditions/720p/retry`,
    {},
    {
      token: user.accessToken,
    },
  );
  expect(notAdmin.statusCode).toBe(403);

  await t.dataSource.query(
    `UPDATE streaming.renditions SET width = 1280 WHERE video_id = $1 AND name = '720p'`,
    [id],
  );
  const res = await t.post(
    `/v1/streaming/videos/${id}/renditions/720p/retry`,
    {},
    {
      token: admin.accessToken,
    },
  );
  expect(res.statusCode, res.body).toBe(202);
  expect(res.json()).toMatchObject({
    rendition: '720p',
    state: 'PENDING',
    videoState: 'PROCESSING',
  });
  const video = await waitForVideo(t, user, id, ['READY', 'FAILED'], 120_000);
  expect(video.state).toBe('READY');
  await settled(t, { timeout: 30_000 });
  const after = await rows(id);
  expect(after[1].updated_at.getTime()).toBe(before[1].updated_at.getTime());
  expect(await objectBytes(t, videoKeys.playlist(id, '480p'))).toEqual(playlist480);
  expect(after[0]).toMatchObject({ state: 'DONE', attempts: 1 });
  expect(await eventCount(t, 'streaming.video-failed', id)).toBe(1);
  expect(await eventCount(t, 'streaming.video-ready', id)).toBe(1);
}, 180_000);
