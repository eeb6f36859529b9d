import { ObjectStorage } from '@app/platform';
import type { TestApp } from '@app/testing';
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { videoKeys } from '../../src/streaming/content/video-keys.js';
import { fixtureFfmpeg, videoFixture } from '../../libs/testing/video-fixtures.js';
import { insertVideo } from './video-rows.js';

const run = promisify(execFile);

/** The two rungs of the test package (from `videoFixture('p360')`, 1 s fMP4 segments). */
const RUNGS = [
  { name: '360p', width: 640, height: 360, kbps: 400 },
  { name: '180p', width: 320, height: 180, kbps: 150 },
];

const MASTER = [
  '#EXTM3U',
  '#EXT-X-VERSION:7',
  '#EXT-X-INDEPENDENT-SEGMENTS',
  ...RUNGS.flatMap((r) => [
    `#EXT-X-STREAM-INF:BANDWIDTH=${(r.kbps + 64) * 1000},RESOLUTION=${r.width}x${r.height},` +
      `CODECS="avc1.42e01e,mp4a.40.2",FRAME-RATE=30.000`,
    `${r.name}/index.m3u8`,
  ]),
  '',
].join('\n');

/**
 * A tiny real HLS package (master + two renditions of init.mp4 and 1 s `.m4s` segments), made
 * once per machine with ffmpeg from the p360 fixture, in the OS temp folder.
 */
export async function hlsPackage(): Promise<string> {
  const source = await videoFixture('p360');
  const dir = join(tmpdir(), 'five-video-fixtures', `hls-${source.split('-').pop()}`);
  if (existsSync(join(dir, 'master.m3u8'))) return dir;
  const partial = `${dir}.${process.pid}.partial`;
  rmSync(partial, { recursive: true, force: true });
  for (const r of RUNGS) {
    const out = join(partial, r.name);
    mkdirSync(out, { recursive: true });
    // ffmpeg writes the init segment relative to its working directory: run it in the rung's.
    await run(
      fixtureFfmpeg(),
      [
        ['-hide_banner', '-loglevel', 'error', '-i', source, '-vf', `scale=${r.width}:${r.height}`],
        ['-c:v', 'libx264', '-preset', 'ultrafast', '-profile:v', 'baseline', '-level', '3.0'],
        ['-b:v', `${r.kbps}k`, '-g', '30', '-keyint_min', '30', '-sc_threshold', '0'],
        ['-c:a', 'aac', '-ac', '2', '-b:a', '64k', '-f', 'hls', '-hls_time', '1'],
        ['-hls_playlist_type', 'vod', '-hls_segment_type', 'fmp4'],
        ['-hls_fmp4_init_filename', 'init.mp4', '-hls_segment_filename', 'seg-%05d.m4s'],
        ['index.m3u8'],
      ].flat(),
      { cwd: out, timeout: 120_000 },
    );
  }
  writeFileSync(join(partial, 'master.m3u8'), MASTER);
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  return dir;
}

const TYPES: Record<string, string> = {
  m3u8: 'application/vnd.apple.mpegurl',
  m4s: 'video/iso.segment',
  mp4: 'video/mp4',
};

/** Every file of the package, relative to it (`master.m3u8`, `360p/seg-00000.m4s`…). */
export function packageFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/**
 * A READY video whose HLS package is really in the app's storage under `videoKeys.hls(id)`
 * (with `master_key` set), for tests of playback — not of encoding, which has its own.
 */
export async function insertReadyVideo(
  t: TestApp,
  v: Parameters<typeof insertVideo>[1],
): Promise<string> {
  const id = await insertVideo(t, { durationMs: 2000, ...v });
  const dir = await hlsPackage();
  const storage = t.app.get(ObjectStorage);
  for (const file of packageFiles(dir)) {
    const type = TYPES[file.split('.').pop()!] ?? 'application/octet-stream';
    await storage.put(`${videoKeys.hls(id)}/${file}`, readFileSync(join(dir, file)), type);
  }
  await t.dataSource.query(
    `UPDATE streaming.videos SET master_key = $2, width = 640, height = 360 WHERE id = $1`,
    [id, videoKeys.master(id)],
  );
  return id;
}
