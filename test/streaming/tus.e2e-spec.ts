import { createTestApp, type TestApp, type TestUser } from '@app/testing';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as tus from 'tus-js-client';
import { videoFixture } from '../../libs/testing/video-fixtures.js';
import { createVideo, getVideo } from './helpers.js';

describe('streaming: resumable tus uploads (tus-js-client against the real server)', () => {
  let t: TestApp;
  let ann: TestUser;
  let bob: TestUser;
  let endpoint: string;

  beforeAll(async () => {
    t = await createTestApp();
    [ann, bob] = await Promise.all([t.newUser(), t.newUser()]);
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    endpoint = `http://127.0.0.1:${port}/v1/streaming/uploads`;
  }, 60_000);
  afterAll(() => t?.close());

  function upload(
    user: TestUser,
    data: Buffer,
    videoId: string,
    extra: Partial<tus.UploadOptions> = {},
  ) {
    return new tus.Upload(data, {
      endpoint,
      chunkSize: 256 * 1024,
      retryDelays: [],
      storeFingerprintForResuming: false,
      headers: { authorization: `Bearer ${user.accessToken}` },
      metadata: { videoId, filename: 'clip.mp4' },
      ...extra,
    });
  }

  it('uploads in chunks, is interrupted after the first, resumes and ends UPLOADED', async () => {
    const data = readFileSync(await videoFixture('p720'));
    const v = await createVideo(t, ann);
    let chunks = 0;
    let interrupted = false;
    const done = new Promise<void>((resolve, reject) => {
      const u = upload(ann, data, v.id, {
        onChunkComplete: () => {
          chunks++;
          if (chunks === 1 && !interrupted) {
            interrupted = true;
            // Abort mid-upload, then resume from the server's offset (HEAD).
            void u.abort().then(() => setTimeout(() => u.start(), 50));
          }
        },
        onSuccess: () => resolve(),
        onError: reject,
      });
      u.start();
    });
    await done;
    expect(interrupted).toBe(true);
    expect(chunks).toBeGreaterThan(2);
    const after = await getVideo(t, ann, v.id);
    // Accepted once; the encode planner may already have moved it on (PROCESSING) by now.
    expect(after.timeline.filter((e) => e.state === 'UPLOADED')).toHaveLength(1);
    expect(['UPLOADED', 'PROCESSING', 'READY']).toContain(after.state);
    expect(after).toMatchObject({ width: 1280, height: 720, hasAudio: true });
    expect(after.sourceBytes).toBe(data.length);
  }, 60_000);

  it('answers a refused file with its problem and keeps the video UPLOADING', async () => {
    const v = await createVideo(t, ann);
    const data = readFileSync(await videoFixture('notVideo'));
    const err = await new Promise<tus.DetailedError>((resolve, reject) => {
      upload(ann, data, v.id, {
        onSuccess: () => reject(new Error('accepted a text file')),
        onError: (e) => resolve(e as tus.DetailedError),
      }).start();
    });
    expect(err.originalResponse?.getStatus()).toBe(415);
    expect(JSON.parse(err.originalResponse!.getBody())).toMatchObject({
      code: 'streaming.not_a_video',
    });
    expect((await getVideo(t, ann, v.id)).state).toBe('UPLOADING');
  }, 30_000);

  it('refuses uploads for someone else’s video, and without a token', async () => {
    const v = await createVideo(t, ann);
    const headers = (token?: string) => ({
      'tus-resumable': '1.0.0',
      'upload-length': '100',
      'upload-metadata': `videoId ${Buffer.from(v.id).toString('base64')}`,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    });
    const other = await t.app.inject({
      method: 'POST',
      url: '/v1/streaming/uploads',
      headers: headers(bob.accessToken),
    });
    expect(other.statusCode).toBe(404);
    expect(other.json()).toMatchObject({ code: 'streaming.video_not_found' });
    const anon = await t.app.inject({
      method: 'POST',
      url: '/v1/streaming/uploads',
      headers: headers(),
    });
    expect(anon.statusCode).toBe(401);
    const mine = await t.app.inject({
      method: 'POST',
      url: '/v1/streaming/uploads',
      headers: headers(ann.accessToken),
    });
    expect(mine.statusCode).toBe(201);
    const location = String(mine.headers.location);
    const id = location.split('/').pop()!;
    const peek = await t.app.inject({
      method: 'HEAD',
      url: `/v1/streaming/uploads/${id}`,
      headers: { 'tus-resumable': '1.0.0', authorization: `Bearer ${bob.accessToken}` },
    });
    expect(peek.statusCode).toBe(404);
    const own = await t.app.inject({
      method: 'HEAD',
      url: `/v1/streaming/uploads/${id}`,
      headers: { 'tus-resumable': '1.0.0', authorization: `Bearer ${ann.accessToken}` },
    });
    expect(own.statusCode).toBe(200);
    expect(own.headers['upload-offset']).toBe('0');
  });
});
