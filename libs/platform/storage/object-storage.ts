import type { Readable } from 'node:stream';

/** Bytes `start` to `end` of an object, both inclusive (as HTTP `Range: bytes=start-end`). */
export interface ByteRange {
  start: number;
  end: number;
}

/** What the storage knows of an object. */
export interface ObjectInfo {
  key: string;
  /** The whole object's size in bytes. */
  size: number;
  contentType: string;
}

/** An object's bytes (the range asked for, or all of them) as a stream. */
export interface ObjectContent extends ObjectInfo {
  body: Readable;
  /** The range the body holds; absent: the whole object. */
  range?: ByteRange;
}

/** A range that starts at or past the object's end (HTTP 416). */
export class RangeNotSatisfiable extends Error {
  constructor(
    readonly key: string,
    readonly size: number,
  ) {
    super(`range not satisfiable for ${key} (${size} bytes)`);
    this.name = 'RangeNotSatisfiable';
  }
}

/**
 * The object storage port: whole objects under keys `<context>/<...>` (segments of letters,
 * digits, `.`, `_`, `-`; none starting with `.`). Writes are all or nothing: a `put` whose body
 * fails leaves no object and never a half-written one under its key (an existing object stays
 * until the new one is complete). Bodies stream both ways; nothing buffers a whole object.
 * Inject `ObjectStorage` (from `StorageModule`); `STORAGE_DRIVER` picks the adapter.
 */
export abstract class ObjectStorage {
  /** Stores the body under `key` (replacing any object there); answers its size. */
  abstract put(key: string, body: Readable | Buffer, contentType: string): Promise<ObjectInfo>;

  /**
   * The object's bytes, or undefined when there is none. A range is clamped to the object's
   * end; one starting past it throws `RangeNotSatisfiable`.
   */
  abstract get(key: string, range?: ByteRange): Promise<ObjectContent | undefined>;

  /** The object's size and type without its bytes, or undefined. */
  abstract head(key: string): Promise<ObjectInfo | undefined>;

  /** Removes the object; removing one that is not there is not an error. */
  abstract delete(key: string): Promise<void>;
}

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/** Throws unless `key` is `<context>/<...>` of safe segments (no `..`, no hidden files). */
export function assertStorageKey(key: string): void {
  const segments = key.split('/');
  if (key.length > 1024 || segments.length < 2 || !segments.every((s) => SEGMENT.test(s)))
    throw new Error(`invalid storage key ${JSON.stringify(key.slice(0, 100))}`);
}

/** The range clamped to an object of `size` bytes (throws when it starts past the end). */
export function clampRange(key: string, size: number, range: ByteRange): ByteRange {
  if (range.start < 0 || range.end < range.start) throw new Error(`invalid range for ${key}`);
  if (range.start >= size) throw new RangeNotSatisfiable(key, size);
  return { start: range.start, end: Math.min(range.end, size - 1) };
}
