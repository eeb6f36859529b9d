import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { matchesETag, ObjectStorage, parseRange, ValidationFailed } from '@app/platform';
import type { DataSource } from 'typeorm';
import { SocialError } from '../social.error.js';
import { findMedia } from './get-media.handler.js';
import type { MediaContent } from './media-content.js';
import type { MediaRow } from './media.entity.js';
import type { MediaSize } from './media-urls.js';

/** The request headers that shape the answer (`range`, `if-range`, `if-none-match`). */
export type ContentConditions = Record<string, string | string[] | undefined>;

/** Longest header value read (as documented): longer or repeated is a 400 naming it. */
const HEADER_LIMITS: Record<string, number> = { range: 100, 'if-none-match': 200, 'if-range': 200 };

function header(h: ContentConditions, name: string): string | undefined {
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

export class GetMediaContent extends Query<MediaContent> {
  constructor(
    readonly id: string,
    readonly size: MediaSize,
    readonly conditions: ContentConditions,
  ) {
    super();
  }
}

const KEYS: Record<MediaSize, keyof Pick<MediaRow, 'storage_key' | 'display_key' | 'thumb_key'>> = {
  original: 'storage_key',
  display: 'display_key',
  thumb: 'thumb_key',
};

/**
 * The bytes of one size of an upload. A media id never changes content, so the ETag is the id
 * and size and every answer may be cached for a year; `If-None-Match` answers 304, one byte
 * `Range` 206 (416 past the end; `If-Range` with another ETag: the whole file).
 */
@QueryHandler(GetMediaContent)
export class GetMediaContentHandler implements IQueryHandler<GetMediaContent> {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly storage: ObjectStorage,
  ) {}

  async execute({ id, size, conditions }: GetMediaContent): Promise<MediaContent> {
    const ifNoneMatch = header(conditions, 'if-none-match');
    const ifRange = header(conditions, 'if-range');
    const rangeHeader = header(conditions, 'range');
    const media = await findMedia(this.db, id);
    const key = media[KEYS[size]];
    if (!key) {
      throw new ValidationFailed([{ field: 'size', messages: ['a video has only size=original'] }]);
    }
    const etag = `"${id}.${size}"`;
    const cacheable = {
      etag,
      'cache-control': 'public, max-age=31536000, immutable',
      'accept-ranges': 'bytes',
      // Served to <img>/<video> of any origin (helmet's default allows the same origin only).
      'cross-origin-resource-policy': 'cross-origin',
    };
    if (matchesETag(ifNoneMatch, etag)) return { status: 304, headers: cacheable };
    const info = await this.storage.head(key);
    if (!info) throw new SocialError('social.media_not_found', `No stored file for media ${id}.`);
    const useRange = ifRange === undefined || ifRange === etag;
    const range = useRange ? parseRange(rangeHeader, info.size) : undefined;
    if (range === 'unsatisfiable')
      return { status: 416, headers: { 'content-range': `bytes */${info.size}` } };
    const content = await this.storage.get(key, range);
    if (!content)
      throw new SocialError('social.media_not_found', `No stored file for media ${id}.`);
    const headers = { ...cacheable, 'content-type': content.contentType };
    if (!content.range)
      return {
        status: 200,
        headers: { ...headers, 'content-length': String(content.size) },
        body: content.body,
      };
    const { start, end } = content.range;
    return {
      status: 206,
      headers: {
        ...headers,
        'content-length': String(end - start + 1),
        'content-range': `bytes ${start}-${end}/${content.size}`,
      },
      body: content.body,
    };
  }
}
