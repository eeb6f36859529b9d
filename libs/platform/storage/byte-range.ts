import type { ByteRange } from './object-storage.js';

/*
 * Serving stored objects over HTTP, shared by the contexts that do (social's media, streaming's
 * HLS files): one byte range, and `If-None-Match`.
 */

/**
 * `Range: bytes=a-b | a- | -n` against an object of `size` bytes: the range (its end clamped),
 * `unsatisfiable` (416), or undefined for the whole object — a header that is not one byte
 * range (several ranges, another unit, bad syntax) is ignored, as RFC 9110 allows.
 */
export function parseRange(
  header: string | undefined,
  size: number,
): ByteRange | 'unsatisfiable' | undefined {
  const m = header ? /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Number(m[2]);
  if (m[2] !== '' && end < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(end, size - 1) };
}

/** Whether `If-None-Match` names this ETag (or `*`); weak comparison, as RFC 9110 wants for it. */
export function matchesETag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = etag.replace(/^W\//, '');
  return ifNoneMatch
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === '*' || t === bare);
}
