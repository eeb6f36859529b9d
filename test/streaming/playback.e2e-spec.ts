import { Metrics, ObjectStorage, type ObjectContent, type ObjectInfo } from '@app/platform';
import { createTestApp, type TestApp, type TestUser } from '@app/testing';
import hls from 'hls-parser';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Registry } from 'prom-client';
import { v7 as uuidv7 } from 'uuid';
import { OriginShield } from '../../src/streaming/playback/origin-shield.js';
import { PlaybackTokens } from '../../src/streaming/playback/playback-token.js';
import { StreamingConfig } from '../../src/streaming/streaming.config.js';
import { hlsPackage, insertReadyVideo } from './hls-fixture.js';
import { insertVideo } from './video-rows.js';

const { parse } = hls;

describe('streaming playback: signed path-scoped tokens, HLS media routes, origin shield', () => {
  let t: TestApp;
  let owner: TestUser;
  let viewer: TestUser;
  let privateId: string;
  let publicId: string;
  const dir = mkdtempSync(join(tmpdir(), 'playback-e2e-'));

  beforeAll(async () => {
    t = await createTestApp({ env: { STORAGE_LOCAL_DIR: dir } });
    [owner, viewer] = await Promise.all([t.newUser(), t.newUser()]);
    privateId = await insertReadyVideo(t, { channelId: owner.id, visibility: 'private' });
    publicId = await insertReadyVideo(t, { channelId: owner.id, visibility: 'public' });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (url: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url, headers });
  const playback = async (id: string, user: TestUser) =>
    (await t.get(`/v1/streaming/videos/${id}/playback`, { token: user.accessToken })).json() as {
      url: string;
      token: string;
      expiresAt: string;
      playerUrl: string;
    };
  const resolve = (base: string, uri: string) => new URL(uri, `http://x${base}`).pathname;

  it('signs a master URL whose token carries through the media playlists to every segment', async () => {
    const res = await t.get(`/v1/streaming/videos/${privateId}/playback`, {
      token: owner.accessToken,
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.url).toBe(`/v1/streaming/media/${privateId}/${body.token}/master.m3u8`);
    const ttl = new Date(body.expiresAt).getTime() - Date.now();
    expect(ttl).toBeGreaterThan(6 * 3600_000 - 60_000);
    expect(ttl).toBeLessThanOrEqual(6 * 3600_000);

    const master = await get(body.url);
    expect(master.statusCode, master.body).toBe(200);
    expect(master.headers['content-type']).toBe('application/vnd.apple.mpegurl');
    expect(master.headers['cache-control']).toBe('public, max-age=5');
    const playlist = parse(master.body);
    if (!playlist.isMasterPlaylist) throw new Error('not a master playlist');
    expect(playlist.variants.map((v) => v.resolution?.height)).toEqual([360, 180]);

    for (const variant of playlist.variants) {
      const mediaUrl = resolve(body.url, variant.uri);
      expect(mediaUrl).toContain(`/${body.token}/`);
      const media = await get(mediaUrl);
      expect(media.statusCode, media.body).toBe(200);
      const parsed = parse(media.body);
      if (parsed.isMasterPlaylist) throw new Error('not a media playlist');
      expect(parsed.segments.length).toBeGreaterThanOrEqual(2);
      const init = await get(resolve(mediaUrl, parsed.segments[0]!.map!.uri));
      expect(init.statusCode).toBe(200);
      expect(init.headers['content-type']).toBe('video/mp4');
      for (const segment of parsed.segments) {
        const seg = await get(resolve(mediaUrl, segment.uri));
        expect(seg.statusCode).toBe(200);
        expect(seg.headers['content-type']).toBe('video/iso.segment');
        expect(seg.headers['cache-control']).toBe('public, max-age=31536000, immutable');
        expect(seg.rawPayload.length).toBeGreaterThan(1000);
      }
    }
  });

  it('refuses tampered, expired, other-video and missing tokens with 403 playback_token_invalid', async () => {
    const { token } = await playback(privateId, owner);
    const tokens = t.resolve(PlaybackTokens);
    const expired = tokens.signUntil(privateId, Math.floor(Date.now() / 1000) - 1);
    const otherVideo = tokens.sign(publicId).token;
    // A character inside the MAC: the last of its 43 base64url characters carries two unused
    // bits, so changing only those leaves the same signature (a test that passed by chance).
    const at = token.length - 10;
    const tampered = token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
    // A later expiry with the old signature (the expiry is signed too).
    const extended = token.replace(/^v1\.[0-9a-z]+\./, `v1.${(2 ** 40).toString(36)}.`);
    for (const bad of [tampered, expired, otherVideo, extended, 'public', 'v1.x.y']) {
      const res = await get(`/v1/streaming/media/${privateId}/${bad}/360p/index.m3u8`);
      expect(res.statusCode, bad).toBe(bad === 'public' ? 404 : 403);
      if (bad !== 'public') expect(res.json().code).toBe('streaming.playback_token_invalid');
    }
    expect(
      (await get(`/v1/streaming/media/${privateId}/${token}/360p/index.m3u8`)).statusCode,
    ).toBe(200);
  });

  it('plays public videos unsigned; private unsigned is 404, subscribers unsigned 403', async () => {
    const ok = await get(`/v1/streaming/media/${publicId}/public/master.m3u8`);
    expect(ok.statusCode).toBe(200);
    const priv = await get(`/v1/streaming/media/${privateId}/public/master.m3u8`);
    expect(priv.statusCode).toBe(404);
    expect(priv.json().code).toBe('streaming.video_not_found');
    const subs = await insertReadyVideo(t, { channelId: owner.id, visibility: 'subscribers' });
    const res = await get(`/v1/streaming/media/${subs}/public/master.m3u8`);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('streaming.playback_token_invalid');
  });

  it('signs only for who may play: 404 for another channel’s private video, 403 subscription_required, 409 not READY', async () => {
    const other = await t.get(`/v1/streaming/videos/${privateId}/playback`, {
      token: viewer.accessToken,
    });
    expect(other.statusCode).toBe(404);
    expect(other.json().code).toBe('streaming.video_not_found');
    const subs = await insertVideo(t, { channelId: owner.id, visibility: 'subscribers' });
    const denied = await t.get(`/v1/streaming/videos/${subs}/playback`, {
      token: viewer.accessToken,
    });
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toMatchObject({
      code: 'streaming.subscription_required',
      channelId: owner.id,
    });
    const processing = await insertVideo(t, { channelId: owner.id, state: 'PROCESSING' });
    const early = await t.get(`/v1/streaming/videos/${processing}/playback`, {
      token: owner.accessToken,
    });
    expect(early.statusCode).toBe(409);
    expect(early.json().code).toBe('streaming.invalid_state');
    expect(
      (await t.get(`/v1/streaming/videos/${publicId}/playback`, { token: viewer.accessToken }))
        .statusCode,
    ).toBe(200);
    expect((await t.get(`/v1/streaming/videos/${publicId}/playback`)).statusCode).toBe(401);
  });

  it('answers ETag → 304, Range → 206 with Content-Range, 416 past the end, 404 for missing or unsafe files', async () => {
    const seg = `/v1/streaming/media/${publicId}/public/360p/seg-00000.m4s`;
    const whole = await get(seg);
    const size = whole.rawPayload.length;
    const etag = whole.headers.etag as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(whole.headers['accept-ranges']).toBe('bytes');
    const again = await get(seg, { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.length).toBe(0);

    const part = await get(seg, { range: 'bytes=10-19' });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 10-19/${size}`);
    expect(part.rawPayload).toEqual(whole.rawPayload.subarray(10, 20));
    const tail = await get(seg, { range: 'bytes=-5' });
    expect(tail.rawPayload).toEqual(whole.rawPayload.subarray(size - 5));
    const past = await get(seg, { range: `bytes=${size}-` });
    expect(past.statusCode).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${size}`);
    expect(past.json().code).toBe('streaming.media_range_not_satisfiable');

    const onDisk = readFileSync(join(await hlsPackage(), '360p', 'seg-00000.m4s'));
    expect(whole.rawPayload).toEqual(onDisk);
    for (const path of ['360p/seg-99999.m4s', '360p/.hidden.m4s', '360p/x.exe', 'source.mp4']) {
      const res = await get(`/v1/streaming/media/${publicId}/public/${path}`);
      expect(res.statusCode, path).toBe(404);
      expect(res.json().code, path).toBe('streaming.media_not_found');
    }
    const dots = await get(`/v1/streaming/media/${publicId}/public/..%2Fsource`);
    expect(dots.statusCode).toBe(404);
    const long = await get(seg, { range: `bytes=${'1'.repeat(120)}-` });
    expect(long.statusCode).toBe(400);
  });

  it('serves hot files from the origin shield: the second fetch is a hit (metric)', async () => {
    const counter = async (result: string) => {
      const metric = await t
        .resolve(Metrics)
        .registry.getSingleMetric('five_streaming_shield_requests_total')!
        .get();
      return metric.values.find((v) => v.labels.result === result)?.value ?? 0;
    };
    const id = await insertReadyVideo(t, { channelId: owner.id, visibility: 'public' });
    const url = `/v1/streaming/media/${id}/public/180p/seg-00001.m4s`;
    const [hits, misses] = [await counter('hit'), await counter('miss')];
    await get(url);
    expect([await counter('hit'), await counter('miss')]).toEqual([hits, misses + 1]);
    await get(url);
    expect([await counter('hit'), await counter('miss')]).toEqual([hits + 1, misses + 1]);
    expect(t.resolve(OriginShield).has(`streaming/videos/${id}/hls/180p/seg-00001.m4s`)).toBe(true);
  });

  it('serves a player page with its own CSP and hashed hls.js from this origin', async () => {
    const page = await get(`/v1/streaming/videos/${publicId}/player`);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toContain("media-src 'self' blob:");
    expect(page.body).toContain(`data-src="/v1/streaming/media/${publicId}/public/master.m3u8"`);
    const script = /src="(\/v1\/streaming\/player\/hls-[0-9a-f]{12}\.min\.js)"/.exec(page.body);
    const js = await get(script![1]!);
    expect(js.statusCode).toBe(200);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.body).toContain('Hls');
    expect((await get('/v1/streaming/player/hls-000000000000.min.js')).statusCode).toBe(404);

    const { token, playerUrl } = await playback(privateId, owner);
    const signed = await get(playerUrl);
    expect(signed.statusCode).toBe(200);
    expect(signed.body).toContain(`/v1/streaming/media/${privateId}/${token}/master.m3u8`);
    expect((await get(`/v1/streaming/videos/${privateId}/player`)).statusCode).toBe(404);
    const wrong = await get(`/v1/streaming/videos/${publicId}/player?token=${token}`);
    expect(wrong.statusCode).toBe(403);
    expect((await get(`/v1/streaming/videos/${publicId}/player?token=x`)).statusCode).toBe(400);
  });
});

describe('origin shield (unit): bytes-bounded LRU, object size cap, singleflight', () => {
  class MemoryStorage extends ObjectStorage {
    readonly objects = new Map<string, Buffer>();
    gets = 0;
    async put(key: string, body: Buffer): Promise<ObjectInfo> {
      this.objects.set(key, body);
      return { key, size: body.length, contentType: 'video/mp4' };
    }
    async head(key: string): Promise<ObjectInfo | undefined> {
      const b = this.objects.get(key);
      return b && { key, size: b.length, contentType: 'video/mp4' };
    }
    async get(key: string): Promise<ObjectContent | undefined> {
      this.gets++;
      await new Promise((r) => setTimeout(r, 10));
      const b = this.objects.get(key);
      return b && { key, size: b.length, contentType: 'video/mp4', body: Readable.from([b]) };
    }
    async delete(key: string): Promise<void> {
      this.objects.delete(key);
    }
  }
  const shieldWith = (maxBytes: number, maxObject: number) => {
    const storage = new MemoryStorage();
    const config = Object.assign(new StreamingConfig(), {
      STREAMING_SHIELD_MAX_BYTES: maxBytes,
      STREAMING_SHIELD_MAX_OBJECT_BYTES: maxObject,
    });
    const metrics = { registry: new Registry() } as unknown as Metrics;
    return { storage, shield: new OriginShield(storage, config, metrics) };
  };

  it('evicts the least recently used object once over its byte bound', async () => {
    const { storage, shield } = shieldWith(250, 200);
    for (const k of ['s/a', 's/b', 's/c']) await storage.put(k, Buffer.alloc(100, k));
    await shield.get('s/a');
    await shield.get('s/b');
    await shield.get('s/a'); // a is now the most recent
    await shield.get('s/c'); // 300 > 250: b goes
    expect([shield.has('s/a'), shield.has('s/b'), shield.has('s/c')]).toEqual([true, false, true]);
    expect(shield.heldBytes).toBe(200);
    await storage.put('s/big', Buffer.alloc(201));
    const big = await shield.get('s/big');
    expect(big?.kind).toBe('storage');
    expect(shield.has('s/big')).toBe(false);
  });

  it('shares one storage read between concurrent misses of a key', async () => {
    const { storage, shield } = shieldWith(10_000, 1000);
    await storage.put('s/hot', Buffer.alloc(500, 1));
    const answers = await Promise.all(Array.from({ length: 20 }, () => shield.get('s/hot')));
    expect(storage.gets).toBe(1);
    expect(new Set(answers.map((a) => a?.etag)).size).toBe(1);
    expect(await shield.get(`s/${uuidv7()}`)).toBeUndefined();
  });
});
