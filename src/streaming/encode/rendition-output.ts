import { Injectable } from '@nestjs/common';
import { ObjectStorage } from '@app/platform';
import hls from 'hls-parser';
import { createReadStream, createWriteStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { UnrecoverableError } from 'bullmq';
import { videoKeys } from '../content/video-keys.js';
import { Ffmpeg } from '../media-tools/ffmpeg.js';
import { RENDITION_FILES } from './encode-args.js';

/** What the package step needs of an encoded rendition, measured from its files. */
export interface Measured {
  /** Peak segment bitrate, bit/s (HLS `BANDWIDTH`). */
  bandwidth: number;
  /** Bitrate over all segments, bit/s (HLS `AVERAGE-BANDWIDTH`). */
  averageBandwidth: number;
  /** RFC 6381 codecs, e.g. `avc1.64001f,mp4a.40.2`. */
  codecs: string;
  /** The media segments' file names, in playlist order. */
  segments: string[];
}

interface ProbedStream {
  codec_type: string;
  codec_name?: string;
  codec_tag_string?: string;
  profile?: string;
  level?: number;
}

/** H.264 profile_idc by ffprobe's profile name. */
const AVC_PROFILE: Record<string, number> = {
  Baseline: 66,
  'Constrained Baseline': 66,
  Main: 77,
  Extended: 88,
  High: 100,
  'High 10': 110,
};
const AAC_OBJECT: Record<string, number> = { LC: 2, HE: 5, 'HE-AACv2': 29 };

const hex2 = (n: number) => n.toString(16).padStart(2, '0');

export const CONTENT_TYPES: Record<string, string> = {
  m3u8: 'application/vnd.apple.mpegurl',
  mp4: 'video/mp4',
  m4s: 'video/iso.segment',
  jpg: 'image/jpeg',
};

export const contentTypeOf = (name: string) =>
  CONTENT_TYPES[name.split('.').pop() ?? ''] ?? 'application/octet-stream';

/**
 * Moving a rendition's bytes: the source from storage to a local file, the encoded files from
 * the local folder back to storage (the playlist last, so a half-uploaded rendition never has
 * one), and the measurements the master playlist needs.
 */
@Injectable()
export class RenditionOutput {
  constructor(
    private readonly storage: ObjectStorage,
    private readonly ffmpeg: Ffmpeg,
  ) {}

  /** Downloads the source to `path`; a source that is gone cannot be encoded, ever. */
  async download(sourceKey: string, path: string): Promise<void> {
    const object = await this.storage.get(sourceKey);
    if (!object) throw new UnrecoverableError(`the source ${sourceKey} is gone from the storage`);
    await pipeline(object.body, createWriteStream(path));
  }

  /** Peak/average bandwidth from segment sizes and durations, codecs from ffprobe. */
  async measure(dir: string): Promise<Measured> {
    const text = await readFile(join(dir, RENDITION_FILES.playlist), 'utf8');
    const playlist = hls.parse(text);
    if (playlist.isMasterPlaylist) throw new Error('ffmpeg wrote a master playlist');
    let peak = 0;
    let bits = 0;
    let seconds = 0;
    const segments: string[] = [];
    for (const s of playlist.segments) {
      const { size } = await stat(join(dir, s.uri));
      segments.push(s.uri);
      bits += size * 8;
      seconds += s.duration;
      if (s.duration > 0) peak = Math.max(peak, (size * 8) / s.duration);
    }
    if (!segments.length || seconds <= 0) throw new Error('ffmpeg wrote no media segment');
    const { streams } = await this.ffmpeg.probeJson<{ streams: ProbedStream[] }>([
      '-show_entries',
      'stream=codec_type,codec_name,codec_tag_string,profile,level',
      join(dir, RENDITION_FILES.playlist),
    ]);
    return {
      bandwidth: Math.ceil(peak),
      averageBandwidth: Math.ceil(bits / seconds),
      codecs: codecsOf(streams),
      segments,
    };
  }

  /**
   * Puts every file of `dir` under the rendition's prefix: init and segments first, the
   * playlist last. Each put is atomic (the storage port's contract), and a re-run after a crash
   * overwrites the same keys, so nothing is duplicated and a complete playlist always points at
   * complete objects.
   */
  async upload(videoId: string, rendition: string, dir: string): Promise<string[]> {
    const prefix = videoKeys.rendition(videoId, rendition);
    const names = (await readdir(dir)).filter((n) => n !== RENDITION_FILES.playlist).sort();
    const keys: string[] = [];
    for (const name of names) {
      const key = `${prefix}/${name}`;
      await this.storage.put(key, createReadStream(join(dir, name)), contentTypeOf(name));
      keys.push(key);
    }
    const playlist = join(dir, RENDITION_FILES.playlist);
    await this.storage.put(
      videoKeys.playlist(videoId, rendition),
      createReadStream(playlist),
      contentTypeOf(playlist),
    );
    return keys;
  }
}

/** `avc1.PPCCLL[,mp4a.40.O]` from ffprobe's streams (constraint flags taken as 0). */
export function codecsOf(streams: ProbedStream[]): string {
  const out: string[] = [];
  const video = streams.find((s) => s.codec_type === 'video');
  if (video) {
    const profile = AVC_PROFILE[video.profile ?? ''] ?? 100;
    out.push(`avc1.${hex2(profile)}00${hex2(video.level && video.level > 0 ? video.level : 40)}`);
  }
  const audio = streams.find((s) => s.codec_type === 'audio');
  if (audio) out.push(`mp4a.40.${AAC_OBJECT[audio.profile ?? ''] ?? 2}`);
  return out.join(',');
}
