import { ObjectStorage } from '@app/platform';
import type { TestApp } from '@app/testing';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { promisify } from 'node:util';
import hls from 'hls-parser';
import { fixtureFfprobe } from '../../libs/testing/video-fixtures.js';

/** ffprobe + hls-parser assertions on what the encoder put into the storage. */
const run = promisify(execFile);

export async function objectBytes(t: TestApp, key: string): Promise<Buffer | undefined> {
  const object = await t.app.get(ObjectStorage).get(key);
  return object ? buffer(object.body) : undefined;
}

export async function parseMaster(t: TestApp, key: string) {
  const text = (await objectBytes(t, key))?.toString('utf8');
  if (!text) throw new Error(`no master playlist at ${key}`);
  const playlist = hls.parse(text);
  if (!playlist.isMasterPlaylist) throw new Error(`${key} is not a master playlist`);
  return { text, variants: playlist.variants };
}

/** Downloads a rendition (playlist, init, segments) into a local folder → its playlist path. */
export async function downloadRendition(t: TestApp, prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), 'hls-assert-'));
  const text = (await objectBytes(t, `${prefix}/index.m3u8`))!.toString('utf8');
  const playlist = hls.parse(text);
  if (playlist.isMasterPlaylist) throw new Error('expected a media playlist');
  writeFileSync(join(dir, 'index.m3u8'), text);
  const uris = new Set(playlist.segments.map((s) => s.uri));
  const init = playlist.segments[0]?.map?.uri;
  if (init) uris.add(init);
  for (const uri of uris)
    writeFileSync(join(dir, uri), (await objectBytes(t, `${prefix}/${uri}`))!);
  return { path: join(dir, 'index.m3u8'), playlist };
}

export interface Stream {
  codec_type: string;
  codec_tag_string: string;
  width?: number;
  height?: number;
  r_frame_rate: string;
  profile?: string;
}

async function probe<T>(args: string[]): Promise<T> {
  const { stdout } = await run(fixtureFfprobe(), ['-v', 'error', '-of', 'json', ...args], {
    maxBuffer: 32 * 1024 * 1024,
  });
  return JSON.parse(stdout) as T;
}

export async function streamsOf(path: string): Promise<Stream[]> {
  const { streams } = await probe<{ streams: Stream[] }>([
    '-show_entries',
    'stream=codec_type,codec_tag_string,width,height,r_frame_rate,profile',
    path,
  ]);
  return streams;
}

/** The video's keyframe timestamps, seconds (packets flagged K). */
export async function keyframeTimes(path: string): Promise<number[]> {
  const { packets } = await probe<{ packets: { pts_time: string; flags: string }[] }>([
    '-select_streams',
    'v:0',
    '-show_entries',
    'packet=pts_time,flags',
    path,
  ]);
  // Relative to the first keyframe: fMP4 with B-frames starts its pts at the reorder delay
  // (two frames, 0.066 s at 30 fps), which says nothing about the keyframe interval.
  const keys = packets.filter((p) => p.flags.startsWith('K')).map((p) => Number(p.pts_time));
  return keys.map((k) => Math.round((k - keys[0]!) * 1000) / 1000);
}

export const fpsOf = (s: Stream) => {
  const [n, d] = s.r_frame_rate.split('/').map(Number);
  return n! / (d || 1);
};
