import { join } from 'node:path';
import type { PlannedRendition } from './ladder.js';

/** HLS segment target, seconds (PeerTube's 4 s; the issue asks 4–6 s). */
export const SEGMENT_SECONDS = 4;
/** Keyframe interval, seconds: exactly every 2 s, never on a scene cut. */
export const GOP_SECONDS = 2;

/** The files one rendition's encode leaves in its output folder (playlist written by ffmpeg). */
export const RENDITION_FILES = {
  playlist: 'index.m3u8',
  init: 'init.mp4',
  segmentPattern: 'seg-%05d.m4s',
};

/** The rung's scale filter: exact even dimensions from the ladder (portrait stays portrait). */
export function scaleFilter(r: Pick<PlannedRendition, 'width' | 'height'>): string {
  return `scale=${r.width}:${r.height},setsar=1`;
}

/**
 * ffmpeg's arguments to encode `input` into one rendition as HLS fMP4 in `outDir`
 * (`index.m3u8`, `init.mp4`, `seg-00000.m4s`…). H.264 High / yuv420p at the ladder's target
 * bitrate with maxrate = peak and bufsize = 2 × peak (PeerTube), `-preset veryfast`, a
 * closed 2 s GOP (`-g`/`-keyint_min` = 2 × fps, `-sc_threshold 0`, and forced keyframes at
 * every 2 s so a non-integer rate still lands on the boundary), AAC stereo or no audio at all.
 */
export function encodeArgs(r: PlannedRendition, input: string, outDir: string): string[] {
  const gop = String(Math.max(1, Math.round(r.fps * GOP_SECONDS)));
  const args = ['-y', '-i', input, '-map', '0:v:0'];
  if (r.audioKbps !== null) args.push('-map', '0:a:0');
  args.push(
    '-vf',
    scaleFilter(r),
    '-r',
    String(r.fps),
    '-c:v',
    'libx264',
    '-profile:v',
    'high',
    '-pix_fmt',
    'yuv420p',
    '-preset',
    'veryfast',
    '-b:v',
    `${r.videoKbps}k`,
    '-maxrate',
    `${r.maxKbps}k`,
    '-bufsize',
    `${2 * r.maxKbps}k`,
    '-g',
    gop,
    '-keyint_min',
    gop,
    '-sc_threshold',
    '0',
    '-force_key_frames',
    `expr:gte(t,n_forced*${GOP_SECONDS})`,
  );
  if (r.audioKbps !== null) args.push('-c:a', 'aac', '-ac', '2', '-b:a', `${r.audioKbps}k`);
  else args.push('-an');
  args.push(
    '-sn',
    '-dn',
    '-map_metadata',
    '-1',
    '-max_muxing_queue_size',
    '1024',
    '-f',
    'hls',
    '-hls_time',
    String(SEGMENT_SECONDS),
    '-hls_playlist_type',
    'vod',
    '-hls_segment_type',
    'fmp4',
    '-hls_fmp4_init_filename',
    RENDITION_FILES.init,
    '-hls_segment_filename',
    join(outDir, RENDITION_FILES.segmentPattern),
    join(outDir, RENDITION_FILES.playlist),
  );
  return args;
}

/** The poster: one frame at ~1 s (at the start of a shorter video), at most 1280 wide. */
export function posterArgs(input: string, out: string, durationMs: number): string[] {
  const at = durationMs >= 2000 ? '1' : '0';
  return ['-y', '-ss', at, '-i', input, '-frames:v', '1'].concat([
    '-vf',
    'scale=w=min(iw\\,1280):h=-2',
    '-q:v',
    '3',
    '-an',
    out,
  ]);
}

/** Storyboard frames: one every 2 s, 160 wide, 10 per row. */
export const STORYBOARD = { everySeconds: 2, width: 160, columns: 10 };

/** The storyboard: a thumbnail strip (one 160-wide frame per 2 s, 10 a row), one JPEG. */
export function storyboardArgs(input: string, out: string, durationMs: number): string[] {
  const frames = Math.max(1, Math.ceil(durationMs / 1000 / STORYBOARD.everySeconds));
  const rows = Math.min(10, Math.max(1, Math.ceil(frames / STORYBOARD.columns)));
  const vf =
    `fps=1/${STORYBOARD.everySeconds},scale=${STORYBOARD.width}:-2,` +
    `tile=${STORYBOARD.columns}x${rows}`;
  return ['-y', '-i', input, '-an', '-vf', vf, '-frames:v', '1', '-q:v', '4', out];
}

/** A POSIX-shell rendering of an argv (the bench's direct-ffmpeg anchor script). */
export function shellQuote(argv: string[]): string {
  return argv
    .map((a) => (/^[A-Za-z0-9_./:=,+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))
    .join(' ');
}
