import { Logger } from '@nestjs/common';
import { fileTypeFromFile } from 'file-type';
import { StreamingError } from '../streaming.error.js';
import { Ffmpeg, FfmpegError, tailOf } from './ffmpeg.js';

/** What ffprobe read of an uploaded source, with its rotation applied (portrait stays portrait). */
export interface SourceProbe {
  /** The container ffprobe recognised (`mov,mp4,m4a,3gp,3g2,mj2`, `matroska,webm`…). */
  format: string;
  durationMs: number;
  /** The display size: coded size, swapped when the video is rotated by 90° or 270°. */
  width: number;
  height: number;
  /** The average frame rate (`avg_frame_rate`), rounded to 3 decimals. */
  fps: number;
  hasAudio: boolean;
  videoCodec: string;
  /** The type its first bytes show (`video/mp4`…), else `application/octet-stream`. */
  contentType: string;
}

interface ProbedStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  duration?: string;
  tags?: Record<string, string>;
  side_data_list?: { side_data_type?: string; rotation?: number }[];
  disposition?: { attached_pic?: number };
}

interface Probed {
  streams?: ProbedStream[];
  format?: { format_name?: string; duration?: string };
}

/** Containers ffprobe reads that are pictures, not videos (a PNG is a one-frame "video"). */
const IMAGE_FORMATS = /(^|,)(image2|\w+_pipe|gif|apng|webp|tiff|bmp|svg)(,|$)/;

/** A frame rate like `30000/1001`; 0 when unknown (`0/0`). */
export function frameRate(text: string | undefined): number {
  const [n, d] = (text ?? '').split('/').map(Number);
  if (!n || !Number.isFinite(n)) return 0;
  const rate = d ? n / d : n;
  return Number.isFinite(rate) ? Math.round(rate * 1000) / 1000 : 0;
}

/** Degrees the player turns the picture: the display matrix side data, else the `rotate` tag. */
export function rotationOf(stream: ProbedStream): number {
  const matrix = stream.side_data_list?.find((s) => typeof s.rotation === 'number');
  const degrees = matrix?.rotation ?? Number(stream.tags?.['rotate'] ?? 0);
  return Number.isFinite(degrees) ? ((Math.round(degrees) % 360) + 360) % 360 : 0;
}

const logger = new Logger('SourceProbe');

/**
 * Reads an uploaded file with ffprobe and decides whether it is a video streaming can encode:
 * - not a media container (ffprobe does not recognise it, or it is a picture) → 415
 *   `streaming.not_a_video`;
 * - a container that ffprobe cannot read (a truncated MP4) or whose first second does not
 *   decode → 422 `streaming.corrupt_video` with `reason` (the tail of ffmpeg's message);
 * - no video stream (audio only) → 422 `streaming.no_video_stream`;
 * - longer than `maxSeconds` → 422 `streaming.video_too_long`.
 */
export async function probeSource(
  ffmpeg: Ffmpeg,
  path: string,
  maxSeconds: number,
): Promise<SourceProbe> {
  // The magic-bytes sniff is only a fast first opinion: when it cannot read the file, ffprobe
  // below decides (and names the problem), so its error is kept only as the reason in the log.
  const sniffed = await fileTypeFromFile(path).catch((err: unknown) => {
    logger.debug({ err, path }, 'file type sniff failed; ffprobe decides');
    return undefined;
  });
  const media = sniffed && /^(video|audio)\//.test(sniffed.mime);
  if (sniffed && !media) {
    throw new StreamingError(
      'streaming.not_a_video',
      `The file is ${sniffed.mime}, not a video container.`,
    );
  }
  let probed: Probed;
  try {
    probed = await ffmpeg.probeJson<Probed>(['-show_format', '-show_streams', path]);
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? '');
    const reason = scrub(tailOf(stderr, 3), path) || 'unreadable';
    logger.debug({ reason, sniffed: sniffed?.mime }, 'ffprobe refused an upload');
    // A container by its first bytes that ffprobe cannot read is damaged; anything else is not
    // a media file at all.
    if (media) throw corrupt(reason);
    throw new StreamingError('streaming.not_a_video', 'ffprobe did not recognise the file.');
  }
  const format = probed.format?.format_name ?? '';
  if (!media && IMAGE_FORMATS.test(format)) {
    throw new StreamingError('streaming.not_a_video', `The file is a picture (${format}).`);
  }
  const streams = probed.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  if (!video) {
    throw new StreamingError('streaming.no_video_stream', 'The file has no video stream.', {
      streams: streams.map((s) => s.codec_type ?? 'unknown'),
    });
  }
  if (!video.width || !video.height) throw corrupt('the video stream has no picture size');
  const seconds = Number(probed.format?.duration ?? video.duration);
  if (!Number.isFinite(seconds) || seconds <= 0) throw corrupt('the video has no duration');
  if (seconds > maxSeconds) {
    throw new StreamingError(
      'streaming.video_too_long',
      `The video lasts ${Math.round(seconds)} s; at most ${maxSeconds} s are accepted.`,
      { maxSeconds, durationSeconds: Math.round(seconds * 1000) / 1000 },
    );
  }
  await decodes(ffmpeg, path);
  const turned = rotationOf(video) % 180 === 90;
  return {
    format,
    durationMs: Math.round(seconds * 1000),
    width: turned ? video.height : video.width,
    height: turned ? video.width : video.height,
    fps: frameRate(video.avg_frame_rate) || frameRate(video.r_frame_rate),
    hasAudio: streams.some((s) => s.codec_type === 'audio'),
    videoCodec: video.codec_name ?? 'unknown',
    contentType: sniffed?.mime ?? 'application/octet-stream',
  };
}

/** Decodes the first second of the video stream (cheap); a decoding error is corruption. */
async function decodes(ffmpeg: Ffmpeg, path: string): Promise<void> {
  try {
    await ffmpeg.exec([
      '-v',
      'error',
      '-xerror',
      '-i',
      path,
      '-map',
      '0:v:0',
      '-t',
      '1',
      '-f',
      'null',
      '-',
    ]);
  } catch (err) {
    if (err instanceof FfmpegError) {
      throw corrupt(scrub(err.tail, path) || `ffmpeg exited with ${err.exitCode}`);
    }
    throw err;
  }
}

/** ffmpeg's words without the server's temp path or memory addresses. */
function scrub(text: string, path: string): string {
  return text
    .split(path)
    .join('the file')
    .replace(/ @ 0x[0-9a-f]+\]/g, ']')
    .trim();
}

function corrupt(reason: string): StreamingError {
  return new StreamingError(
    'streaming.corrupt_video',
    `The video could not be read: ${reason.split('\n').pop()}`,
    { reason },
  );
}
