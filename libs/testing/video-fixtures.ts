import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

/**
 * Deterministic test videos made with ffmpeg's lavfi sources (`testsrc2` + `sine`), generated on
 * first use and cached by the hash of their command line in the OS temp folder — never random
 * bytes, never checked in (ANCHORS §3 (d) 3).
 */
export type FixtureKind =
  | 'p1080' // 1920×1080, 30 fps, 3 s, stereo — the one full-size case
  | 'p720' // 1280×720, 30 fps, 2 s, stereo
  | 'p360' // 640×360, 30 fps, 2 s, stereo (below the lowest rung)
  | 'portrait' // 720×1280 (portrait), 30 fps, 2 s, stereo
  | 'noAudio' // 854×480, 25 fps, 2 s, no audio stream
  | 'fps60' // 1280×720, 60 fps, 2 s, stereo
  | 'long' // 640×360, 30 fps, 14 s, stereo (analytics: long enough for a 10 s view)
  | 'audioOnly' // an M4A with a sine tone and no video stream
  | 'corrupt' // the first 40 % of p720's bytes (a truncated MP4)
  | 'notVideo'; // plain text

const VIDEO: Record<string, { size: string; rate: number; seconds: number; audio: boolean }> = {
  p1080: { size: '1920x1080', rate: 30, seconds: 3, audio: true },
  p720: { size: '1280x720', rate: 30, seconds: 2, audio: true },
  p360: { size: '640x360', rate: 30, seconds: 2, audio: true },
  portrait: { size: '720x1280', rate: 30, seconds: 2, audio: true },
  noAudio: { size: '854x480', rate: 25, seconds: 2, audio: false },
  fps60: { size: '1280x720', rate: 60, seconds: 2, audio: true },
  long: { size: '640x360', rate: 30, seconds: 14, audio: true },
};

/** The ffmpeg tests and fixtures use: FFMPEG_PATH, else the system's, else the npm build. */
export function fixtureFfmpeg(env: NodeJS.ProcessEnv = process.env): string {
  if (env['FFMPEG_PATH']) return env['FFMPEG_PATH'];
  for (const dir of (env['PATH'] ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'ffmpeg'))) return join(dir, 'ffmpeg');
  }
  return (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
}

/** The ffprobe tests use, chosen the same way. */
export function fixtureFfprobe(env: NodeJS.ProcessEnv = process.env): string {
  if (env['FFPROBE_PATH']) return env['FFPROBE_PATH'];
  for (const dir of (env['PATH'] ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'ffprobe'))) return join(dir, 'ffprobe');
  }
  return (require('@ffprobe-installer/ffprobe') as { path: string }).path;
}

function argsFor(kind: string, out: string): string[] {
  if (kind === 'audioOnly') {
    return ['-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', '-c:a', 'aac', '-y', out];
  }
  const v = VIDEO[kind]!;
  const args = ['-f', 'lavfi', '-i', `testsrc2=size=${v.size}:rate=${v.rate}`];
  if (v.audio) args.push('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000');
  args.push(
    '-t',
    String(v.seconds),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
  );
  if (v.audio) args.push('-c:a', 'aac', '-ac', '2');
  args.push('-map_metadata', '-1', '-fflags', '+bitexact', '-y', out);
  return args;
}

/** The path of the fixture (generated once per machine and command line). */
export async function videoFixture(kind: FixtureKind): Promise<string> {
  const dir = join(tmpdir(), 'five-video-fixtures');
  mkdirSync(dir, { recursive: true });
  if (kind === 'notVideo') {
    const path = join(dir, 'not-video.txt');
    writeFileSync(path, 'this is not a video\n'.repeat(64));
    return path;
  }
  if (kind === 'corrupt') {
    const whole = readFileSync(await videoFixture('p720'));
    const path = join(dir, 'corrupt.mp4');
    writeFileSync(path, whole.subarray(0, Math.floor(whole.length * 0.4)));
    return path;
  }
  const ffmpeg = fixtureFfmpeg();
  const probeArgs = argsFor(kind, 'OUT');
  const hash = createHash('sha256').update(ffmpeg).update(probeArgs.join(' ')).digest('hex');
  const ext = kind === 'audioOnly' ? 'm4a' : 'mp4';
  const path = join(dir, `${kind}-${hash.slice(0, 12)}.${ext}`);
  if (existsSync(path)) return path;
  const partial = `${path}.${process.pid}.partial.${ext}`;
  await run(ffmpeg, ['-hide_banner', '-loglevel', 'error', ...argsFor(kind, partial)], {
    timeout: 120_000,
  });
  renameSync(partial, path);
  return path;
}
