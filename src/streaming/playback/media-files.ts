import { ValidationFailed } from '@app/platform';
import { StreamingError } from '../streaming.error.js';

/** A rendition folder of the package (`720p`, `480p`, `audio`…). */
export const RENDITION_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;
/** A file of the package: letters, digits, `_`, `-`, `.` (never first), one known extension. */
export const MEDIA_FILE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}\.(m3u8|m4s|mp4|ts|aac|jpg|vtt)$/;
export const MEDIA_FILE_PATTERN = MEDIA_FILE.source;
export const RENDITION_PATTERN = RENDITION_NAME.source;

/** Playlists may be rewritten (a re-driven rendition joins the master): kept briefly. */
export const PLAYLIST_MAX_AGE_SECONDS = 5;
const IMMUTABLE = 'public, max-age=31536000, immutable';

interface FileKind {
  contentType: string;
  cacheControl: string;
  playlist: boolean;
}

const KINDS: Record<string, FileKind> = {
  m3u8: {
    contentType: 'application/vnd.apple.mpegurl',
    cacheControl: `public, max-age=${PLAYLIST_MAX_AGE_SECONDS}`,
    playlist: true,
  },
  m4s: { contentType: 'video/iso.segment', cacheControl: IMMUTABLE, playlist: false },
  mp4: { contentType: 'video/mp4', cacheControl: IMMUTABLE, playlist: false },
  ts: { contentType: 'video/mp2t', cacheControl: IMMUTABLE, playlist: false },
  aac: { contentType: 'audio/aac', cacheControl: IMMUTABLE, playlist: false },
  // Poster and storyboard are rewritten when a video is re-packaged: a day, not a year.
  jpg: { contentType: 'image/jpeg', cacheControl: 'public, max-age=86400', playlist: false },
  vtt: {
    contentType: 'text/vtt; charset=utf-8',
    cacheControl: 'public, max-age=86400',
    playlist: false,
  },
};

/**
 * The path under the video's `hls/` prefix that a media URL names, and how to serve it. Only
 * one level of rendition folder and safe names (no `..`, no hidden files, known extensions):
 * anything else is a 404, exactly like a file that is not there.
 */
export function mediaPath(
  rendition: string | undefined,
  file: string,
): { path: string } & FileKind {
  const ext = MEDIA_FILE.exec(file)?.[1];
  if (!ext || file.includes('..') || (rendition !== undefined && !RENDITION_NAME.test(rendition)))
    throw new StreamingError('streaming.media_not_found', 'No such file in the video’s package.');
  return { path: rendition === undefined ? file : `${rendition}/${file}`, ...KINDS[ext]! };
}

export type RequestHeaders = Record<string, string | string[] | undefined>;
const HEADER_LIMITS: Record<string, number> = { range: 100, 'if-none-match': 200, 'if-range': 200 };

/** A conditional header, at most its documented length (else a 400 naming it). */
export function conditionHeader(h: RequestHeaders, name: string): string | undefined {
  const value = h[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value) || value.length > HEADER_LIMITS[name]!)
    throw new ValidationFailed([
      {
        field: name,
        messages: [`${name} must be one value of at most ${HEADER_LIMITS[name]} characters`],
      },
    ]);
  return value;
}
