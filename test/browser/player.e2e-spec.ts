import { createTestApp, type TestApp } from '@app/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { uploadVideo, waitForVideo } from '../streaming/helpers.js';
import { CHROMIUM_ARGS, findChromium, listen } from './swagger-ui.js';

/**
 * The player page in Debian's Chromium: hls.js (served by the app) loads the master playlist,
 * the media playlist and the segments through the media routes, and the `<video>` plays. The
 * video is a real upload, encoded by the pipeline to READY.
 */
describe('player page in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'player-e2e-'));

  beforeAll(async () => {
    t = await createTestApp({ env: { STORAGE_LOCAL_DIR: dir } });
    browser = await chromium.launch({
      executablePath: findChromium(),
      args: [...CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required'],
      headless: true,
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('plays a READY video with a signed URL: video.currentTime advances past 0.5 s', async () => {
    const base = await listen(t);
    const owner = await t.newUser();
    const { id } = await uploadVideo(t, owner, 'p720', { visibility: 'private' });
    expect((await waitForVideo(t, owner, id, ['READY', 'FAILED'], 120_000)).state).toBe('READY');
    const res = await t.get(`/v1/streaming/videos/${id}/playback`, { token: owner.accessToken });
    expect(res.statusCode, res.body).toBe(200);
    const page = await browser.newPage();
    const blocked: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') blocked.push(m.text());
    });
    const media: string[] = [];
    page.on('response', (r) => {
      if (r.url().includes('/v1/streaming/media/')) media.push(`${r.status()} ${r.url()}`);
    });
    await page.goto(base + res.json().playerUrl);
    await page.waitForFunction(
      () => (document.getElementById('player') as HTMLVideoElement).currentTime > 0.5,
      undefined,
      { timeout: 20_000 },
    );
    expect(blocked.filter((m) => /Content Security Policy/.test(m))).toEqual([]);
    expect(media.some((m) => /^200 .*\.m4s$/.test(m))).toBe(true);
    // Playlists, init segments, segments and the poster all answer.
    expect(media.filter((m) => !/^20[06] /.test(m))).toEqual([]);
    await page.close();
  });
});
