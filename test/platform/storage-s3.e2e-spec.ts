import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { createTestApp, type TestApp, type TestUser } from '@app/testing';
import { ObjectStorage, S3ObjectStorage } from '@app/platform';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import sharp from 'sharp';
import { uploadFile } from '../../libs/testing/media-uploads.js';
import { exifJpeg, fakeMp4 } from '../social/media-samples.js';

/** The app with STORAGE_DRIVER=s3 against a real S3 protocol server (s3rver, private dir). */
describe('object storage through the S3 adapter: social media end to end', () => {
  const dir = mkdtempSync(join(tmpdir(), 's3rver-e2e-'));
  const s3rver = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: dir,
    configureBuckets: [{ name: 'media-e2e' }],
  });
  let t: TestApp;
  let user: TestUser;
  let client: S3Client;

  beforeAll(async () => {
    const { port } = await s3rver.run();
    const endpoint = `http://127.0.0.1:${port}`;
    t = await createTestApp({
      env: {
        STORAGE_DRIVER: 's3',
        STORAGE_S3_BUCKET: 'media-e2e',
        STORAGE_S3_ENDPOINT: endpoint,
        STORAGE_S3_FORCE_PATH_STYLE: 'true',
        STORAGE_S3_ACCESS_KEY_ID: 'S3RVER',
        STORAGE_S3_SECRET_ACCESS_KEY: 'S3RVER',
        SOCIAL_MEDIA_MAX_VIDEO_BYTES: '500000',
      },
    });
    user = await t.newUser();
    client = new S3Client({
      region: 'us-east-1',
      endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
  });
  afterAll(async () => {
    client?.destroy();
    await t?.close();
    await s3rver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const keys = async () =>
    ((await client.send(new ListObjectsV2Command({ Bucket: 'media-e2e' }))).Contents ?? [])
      .map((o) => o.Key)
      .sort();

  it('the app runs on the S3 adapter', () => {
    expect(t.app.get(ObjectStorage)).toBeInstanceOf(S3ObjectStorage);
  });

  it('stores an image’s three sizes and a video in the bucket and serves them, ranges included', async () => {
    const image = await uploadFile(t, user.accessToken, await exifJpeg(1600, 900));
    expect(image.statusCode).toBe(201);
    const { id } = image.json();
    const thumb = await t.get(`/v1/social/media/${id}/content?size=thumb`);
    expect(thumb.statusCode).toBe(200);
    const meta = await sharp(thumb.rawPayload).metadata();
    expect([meta.format, meta.width, meta.height, meta.exif]).toEqual([
      'jpeg',
      320,
      320,
      undefined,
    ]);

    const mp4 = fakeMp4(200_000);
    const video = await uploadFile(t, user.accessToken, mp4);
    expect(video.statusCode).toBe(201);
    const vid = video.json().id;
    const part = await t.app.inject({
      method: 'GET',
      url: `/v1/social/media/${vid}/content`,
      headers: { range: 'bytes=1000-1999' },
    });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 1000-1999/${mp4.length}`);
    expect(part.rawPayload.equals(mp4.subarray(1000, 2000))).toBe(true);

    expect(await keys()).toEqual(
      [
        `social/media/${id}/display`,
        `social/media/${id}/original`,
        `social/media/${id}/thumb`,
        `social/media/${vid}/original`,
      ].sort(),
    );
  });

  it('leaves nothing in the bucket for a refused upload', async () => {
    const before = await keys();
    const tooBig = await uploadFile(t, user.accessToken, fakeMp4(500_001));
    expect([tooBig.statusCode, tooBig.json().code]).toEqual([413, 'social.media_too_large']);
    const text = await uploadFile(t, user.accessToken, Buffer.from('plain text, named .mp4'));
    expect(text.statusCode).toBe(415);
    expect(await keys()).toEqual(before);
  });
});
