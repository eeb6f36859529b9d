import { encodeArgs } from './encode-args.js';
import { lowerFps, planLadder, topFps } from './ladder.js';

const src = (width: number, height: number, fps = 30, hasAudio = true) => ({
  width,
  height,
  fps,
  hasAudio,
});

describe('planLadder', () => {
  it('gives a 1080p source the three rungs, highest first, with PeerTube bpp bitrates', () => {
    const ladder = planLadder(src(1920, 1080));
    expect(ladder.map((r) => [r.name, r.width, r.height])).toEqual([
      ['1080p', 1920, 1080],
      ['720p', 1280, 720],
      ['480p', 854, 480],
    ]);
    // 0.10 × 1920 × 1080 × 30 ≈ 6221 kbit/s average, 0.17 × … ≈ 10575 peak.
    expect(ladder[0]).toMatchObject({ videoKbps: 6221, maxKbps: 10575, audioKbps: 128 });
    for (const r of ladder) expect(r.maxKbps).toBeLessThanOrEqual(2 * r.videoKbps);
    for (const r of ladder) expect(r.maxKbps).toBeGreaterThan(r.videoKbps);
  });

  it('never upscales: a 720p source gets 720p and 480p', () => {
    expect(planLadder(src(1280, 720)).map((r) => r.name)).toEqual(['720p', '480p']);
  });

  it('gives a source below 480p one rung at its own (even) size', () => {
    expect(planLadder(src(640, 360))).toMatchObject([{ name: '360p', width: 640, height: 360 }]);
    expect(planLadder(src(427, 241))).toMatchObject([{ name: '240p', height: 240 }]);
  });

  it('keeps portrait sources portrait: the short side is the rung', () => {
    const ladder = planLadder(src(720, 1280));
    expect(ladder.map((r) => [r.name, r.width, r.height])).toEqual([
      ['720p', 720, 1280],
      ['480p', 480, 854],
    ]);
  });

  it('keeps the top rung at the source rate (≤ 60) and lower rungs at ≤ 30', () => {
    const ladder = planLadder(src(1920, 1080, 60));
    expect(ladder.map((r) => r.fps)).toEqual([60, 30, 30]);
    expect(planLadder(src(1280, 720, 50)).map((r) => r.fps)).toEqual([50, 25]);
    expect(topFps(120)).toBe(60);
    expect(lowerFps(120)).toBe(30);
    expect(lowerFps(25)).toBe(25);
    expect(planLadder(src(1280, 720, 24)).map((r) => r.fps)).toEqual([24, 24]);
  });

  it('plans no audio for a source without audio', () => {
    expect(planLadder(src(854, 480, 25, false))).toMatchObject([{ name: '480p', audioKbps: null }]);
  });

  it('caps bitrates at 1.3 × the source bitrate (peak still ≤ 2 × average)', () => {
    const [top] = planLadder({ ...src(1280, 720), bitrateKbps: 1000 });
    expect(top!.videoKbps).toBe(1300);
    expect(top!.maxKbps).toBeLessThanOrEqual(2 * top!.videoKbps);
  });
});

describe('encodeArgs', () => {
  it('asks for H.264 High, a 2 s closed GOP, maxrate/bufsize and 4 s fMP4 HLS', () => {
    const [r] = planLadder(src(1280, 720));
    const args = encodeArgs(r!, '/in/source', '/out').join(' ');
    expect(args).toContain('-c:v libx264 -profile:v high -pix_fmt yuv420p -preset veryfast');
    expect(args).toContain(`-b:v ${r!.videoKbps}k -maxrate ${r!.maxKbps}k`);
    expect(args).toContain(`-bufsize ${2 * r!.maxKbps}k -g 60 -keyint_min 60 -sc_threshold 0`);
    expect(args).toContain('-force_key_frames expr:gte(t,n_forced*2)');
    expect(args).toContain('-c:a aac -ac 2 -b:a 128k');
    expect(args).toContain('-hls_time 4 -hls_playlist_type vod -hls_segment_type fmp4');
    expect(args).toContain('/out/seg-%05d.m4s /out/index.m3u8');
  });

  it('drops audio when the rung has none', () => {
    const [r] = planLadder(src(854, 480, 25, false));
    const args = encodeArgs(r!, '/in', '/out');
    expect(args).toContain('-an');
    expect(args).not.toContain('0:a:0');
  });
});
