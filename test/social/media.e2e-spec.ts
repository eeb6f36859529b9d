import { createTestApp, settled, type TestApp, type TestUser } from '@app/testing';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { postMediaForm, uploadFile, type FormPart } from '../../libs/testing/media-uploads.js';
import { exifJpeg, fakeMp4 } from './media-samples.js';

const IMAGE_LIMIT = 200_000;
const VIDEO_LIMIT = 300_000;

describe('social media: typed by their bytes, stripped of metadata, served with caching and ranges', () => {
  let t: TestApp;
  let user: TestUser;
  const dir = mkdtempSync(join(tmpdir(), 'media-e2e-'));

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        STORAGE_LOCAL_DIR: dir,
        SOCIAL_MEDIA_MAX_IMAGE_BYTES: String(IMAGE_LIMIT),
        SOCIAL_MEDIA_MAX_VIDEO_BYTES: String(VIDEO_LIMIT),
      },
    });
    user = await t.newUser();
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Every stored file (temp files included), relative to the storage root. */
  const storedFiles = () =>
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
  const rows = async () =>
    Number((await t.dataSource.query(`SELECT count(*) AS n FROM social.media`))[0].n);
  const content = (id: string, size: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url: `/v1/social/media/${id}/content?size=${size}`, headers });

  it('documents the upload as a multipart file (a file picker in Swagger UI) and the GETs public', async () => {
    const doc = (await t.get('/docs/openapi.json')).json();
    const upload = doc.paths['/v1/social/media'].post;
    expect(upload.requestBody.content['multipart/form-data'].schema).toMatchObject({
      required: ['file'],
      properties: { file: { type: 'string', format: 'binary' } },
    });
    expect(upload.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/v1/social/media/{id}'].get.security).toEqual([]);
    const bytes = doc.paths['/v1/social/media/{id}/content'].get;
    expect(bytes.security).toEqual([]);
    expect(Object.keys(bytes.responses)).toEqual(
      expect.arrayContaining(['200', '206', '304', '416']),
    );
    expect(Object.keys(bytes.responses['200'].content)).toContain('video/mp4');
  });

  it('turns a JPEG upright, strips its EXIF (GPS included) from every size, and sizes it', async () => {
    const jpeg = await exifJpeg(2000, 1000); // orientation 6: upright it is 1000 × 2000
    expect((await sharp(jpeg).metadata()).exif).toBeDefined();
    // The client's header and name say PDF: the bytes decide.
    const res = await uploadFile(t, user.accessToken, jpeg, 'application/pdf', 'scan.pdf');
    expect(res.statusCode).toBe(201);
    const view = res.json();
    expect(view).toMatchObject({
      kind: 'image',
      contentType: 'image/jpeg',
      width: 640,
      height: 1280,
      url: `/v1/social/media/${view.id}/content?size=display`,
      thumbnailUrl: `/v1/social/media/${view.id}/content?size=thumb`,
    });
    expect(Object.keys(view).sort()).toEqual([
      'contentType',
      'createdAt',
      'height',
      'id',
      'kind',
      'sizeBytes',
      'thumbnailUrl',
      'url',
      'width',
    ]);
    const expected = { original: [1000, 2000], display: [640, 1280], thumb: [320, 320] };
    for (const [size, [width, height]] of Object.entries(expected)) {
      const got = await content(view.id, size);
      expect(got.statusCode, size).toBe(200);
      expect(got.headers['content-type']).toBe('image/jpeg');
      const meta = await sharp(got.rawPayload).metadata();
      expect([meta.width, meta.height, meta.exif, meta.orientation], size).toEqual([
        width,
        height,
        undefined,
        undefined,
      ]);
      expect(got.rawPayload.includes(Buffer.from('Exif\0\0', 'latin1')), size).toBe(false);
      if (size === 'original') expect(Number(got.headers['content-length'])).toBe(view.sizeBytes);
    }
    // Metadata is public like the bytes (no token).
    const meta = await t.get(`/v1/social/media/${view.id}`);
    expect(meta.statusCode).toBe(200);
    expect(meta.json()).toEqual(view);
  });

  it('keeps a PNG a PNG and a GIF a GIF, never upscaling a small one', async () => {
    const png = await sharp({
      create: { width: 50, height: 40, channels: 4, background: '#0a08' },
    })
      .png()
      .toBuffer();
    const gif = await sharp({ create: { width: 30, height: 20, channels: 3, background: '#f00' } })
      .gif()
      .toBuffer();
    const a = await uploadFile(t, user.accessToken, png, 'image/jpeg', 'a.jpg');
    const b = await uploadFile(t, user.accessToken, gif);
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect(a.json()).toMatchObject({ contentType: 'image/png', width: 50, height: 40 });
    expect(b.json()).toMatchObject({ contentType: 'image/gif', width: 30, height: 20 });
    const thumb = await content(b.json().id, 'thumb');
    expect(thumb.headers['content-type']).toBe('image/gif');
    expect((await sharp(thumb.rawPayload).metadata()).format).toBe('gif');
  });

  it('refuses what is not an image or video, or does not decode, with 415 and nothing written', async () => {
    const before = [await rows(), storedFiles()];
    const text = await uploadFile(
      t,
      user.accessToken,
      Buffer.from('just text'),
      'image/jpeg',
      'x.jpg',
    );
    expect(text.statusCode).toBe(415);
    expect(text.headers['content-type']).toContain('application/problem+json');
    expect(text.json().code).toBe('social.media_unsupported');
    const pdf = await uploadFile(t, user.accessToken, Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj'));
    expect(pdf.json().code).toBe('social.media_unsupported');
    // JPEG magic bytes, then garbage: typed as an image, but it does not decode.
    const broken = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(5000, 9)]);
    const bad = await uploadFile(t, user.accessToken, broken, 'image/jpeg');
    expect([bad.statusCode, bad.json().code]).toEqual([415, 'social.media_unsupported']);
    expect([await rows(), storedFiles()]).toEqual(before);
  });

  it('refuses a file over its type’s limit with 413, and writes nothing', async () => {
    const before = [await rows(), storedFiles()];
    const jpegHead = Buffer.from([0xff, 0xd8, 0xff, 0xe0]);
    const bigImage = Buffer.concat([jpegHead, Buffer.alloc(IMAGE_LIMIT, 1)]);
    const image = await uploadFile(t, user.accessToken, bigImage);
    expect(image.statusCode).toBe(413);
    expect(image.json()).toMatchObject({ code: 'social.media_too_large', maxBytes: IMAGE_LIMIT });
    // Past the image limit but within the video one: a video of that size is fine, a bigger not.
    const bigVideo = await uploadFile(t, user.accessToken, fakeMp4(VIDEO_LIMIT + 1));
    expect(bigVideo.statusCode).toBe(413);
    expect(bigVideo.json()).toMatchObject({
      code: 'social.media_too_large',
      maxBytes: VIDEO_LIMIT,
    });
    expect([await rows(), storedFiles()]).toEqual(before);
  });

  it('over real HTTP, stops reading a 20 MB upload at the limit and closes the connection', async () => {
    await t.app.listen(0, '127.0.0.1');
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(fakeMp4(20_000_000))]), 'huge.mp4');
    const res = await fetch(`${await t.app.getUrl()}/v1/social/media`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${user.accessToken}` },
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('connection')).toBe('close');
    expect(((await res.json()) as { code: string }).code).toBe('social.media_too_large');
    expect(await rows()).toBe(3);
  });

  it('answers a body that is not one file in `file` with a 4xx problem, and needs a login', async () => {
    const files = storedFiles();
    const json = await t.post('/v1/social/media', { file: 'x' }, { token: user.accessToken });
    expect([json.statusCode, json.json().code]).toEqual([415, 'platform.unsupported_media_type']);
    const send = (parts: FormPart[], token = user.accessToken) => postMediaForm(t, token, parts);
    const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    const wrongField = await send([{ name: 'image', data: png, filename: 'a.png' }]);
    expect(wrongField.statusCode).toBe(400);
    expect(wrongField.json().errors).toEqual([{ field: 'file', messages: [expect.any(String)] }]);
    const twoFiles = await send([
      { name: 'file', data: png, filename: 'a.png' },
      { name: 'file', data: png, filename: 'b.png' },
    ]);
    expect(twoFiles.statusCode).toBe(400);
    const garbled = await t.app.inject({
      method: 'POST',
      url: '/v1/social/media',
      headers: {
        authorization: `Bearer ${user.accessToken}`,
        'content-type': 'multipart/form-data; boundary=x',
      },
      payload: '{"file":"not a form"}',
    });
    expect([garbled.statusCode, garbled.json().code]).toEqual([400, 'platform.bad_request']);
    const anonymous = await send([{ name: 'file', data: png, filename: 'a.png' }], 'nope');
    expect(anonymous.statusCode).toBe(401);
    // A second file is seen only after the first was stored: its objects are removed again.
    expect([await rows(), storedFiles()]).toEqual([3, files]);
  });

  it('stores a video as sent, announces it once, and serves ranges, 304 and 416', async () => {
    const mp4 = fakeMp4(100_000);
    const res = await uploadFile(t, user.accessToken, mp4, 'image/png', 'clip.png');
    expect(res.statusCode).toBe(201);
    const video = res.json();
    expect(video).toMatchObject({
      kind: 'video',
      contentType: 'video/mp4',
      width: null,
      height: null,
      sizeBytes: mp4.length,
      thumbnailUrl: null,
      url: `/v1/social/media/${video.id}/content?size=original`,
    });
    await settled(t);
    const events = await t.dataSource.query(
      `SELECT payload FROM platform.outbox WHERE type = 'social.video-uploaded'`,
    );
    expect(events.map((e: { payload: unknown }) => e.payload)).toEqual([
      {
        mediaId: video.id,
        ownerId: user.id,
        storageKey: `social/media/${video.id}/original`,
        contentType: 'video/mp4',
        sizeBytes: mp4.length,
      },
    ]);

    const whole = await content(video.id, 'original');
    expect(whole.statusCode).toBe(200);
    expect(whole.rawPayload.equals(mp4)).toBe(true);
    expect(whole.headers).toMatchObject({
      'content-type': 'video/mp4',
      'content-length': String(mp4.length),
      'accept-ranges': 'bytes',
      'cache-control': 'public, max-age=31536000, immutable',
    });
    const head = await t.app.inject({
      method: 'HEAD',
      url: `/v1/social/media/${video.id}/content`,
    });
    expect([head.statusCode, head.headers['content-length'], head.body]).toEqual([
      200,
      String(mp4.length),
      '',
    ]);
    const etag = whole.headers.etag as string;
    expect(etag).toMatch(/^".+"$/);

    const part = await content(video.id, 'original', { range: 'bytes=100-199' });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100-199/${mp4.length}`);
    expect(part.headers['content-length']).toBe('100');
    expect(part.rawPayload.equals(mp4.subarray(100, 200))).toBe(true);
    const tail = await content(video.id, 'original', { range: 'bytes=-10' });
    expect([tail.statusCode, tail.rawPayload.equals(mp4.subarray(-10))]).toEqual([206, true]);
    const open = await content(video.id, 'original', { range: `bytes=${mp4.length - 5}-` });
    expect(open.headers['content-range']).toBe(
      `bytes ${mp4.length - 5}-${mp4.length - 1}/${mp4.length}`,
    );
    const past = await content(video.id, 'original', { range: `bytes=${mp4.length}-` });
    expect(past.statusCode).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${mp4.length}`);
    expect(past.json().code).toBe('social.media_range_not_satisfiable');
    expect(past.headers['cache-control'] ?? '').not.toContain('immutable');
    const stale = await content(video.id, 'original', { range: 'bytes=0-9', 'if-range': '"old"' });
    expect([stale.statusCode, stale.rawPayload.length]).toEqual([200, mp4.length]);

    const cached = await content(video.id, 'original', { 'if-none-match': etag });
    expect([cached.statusCode, cached.body]).toEqual([304, '']);
    expect(cached.headers.etag).toBe(etag);

    const huge = await content(video.id, 'original', { range: `bytes=${'1'.repeat(300)}-` });
    expect(huge.statusCode).toBe(400);
    expect(huge.json().errors).toEqual([{ field: 'range', messages: [expect.any(String)] }]);

    const display = await content(video.id, 'display');
    expect(display.statusCode).toBe(400);
    expect(display.json().errors).toEqual([{ field: 'size', messages: [expect.any(String)] }]);
    const unknown = await content('0194f3a2-7c1e-7b40-9a8e-3f1c2d4b5a69', 'original');
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'social.media_not_found']);
  });
});
