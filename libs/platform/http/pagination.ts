import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { PlatformError } from './app-error.js';

/**
 * A query-string number: `?x=12` is 12; an empty `?x=` is refused by the validators that follow
 * (class-transformer's `@Type(() => Number)` made it 0, so `?minPrice=` filtered from 0 although
 * the document does not allow an empty value). Use with `@IsInt()` / `@Min()` / `@Max()`.
 */
export const QueryNumber = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? (value.trim() === '' ? Number.NaN : Number(value)) : value,
  );

/** `?limit=&cursor=` — every list endpoint takes these. */
export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @QueryNumber()
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 20;

  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page’s nextCursor' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

/** Cursors are opaque base64url JSON of the last row's sort key. */
export function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** What a cursor field must hold, checked before it reaches SQL (a tampered one is a 400). */
export type CursorField = 'uuid' | 'integer' | 'real' | 'timestamp' | 'string';

const CURSOR_FIELD: Record<CursorField, (v: string) => boolean> = {
  uuid: (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
  integer: (v) => /^-?\d{1,18}$/.test(v),
  real: (v) => v.length <= 32 && Number.isFinite(Number(v)),
  timestamp: (v) => v.length <= 40 && Number.isFinite(Date.parse(v)),
  string: (v) => v.length <= 200,
};

/**
 * The sort key a cursor carries, each field a string of its declared kind; anything else (not
 * base64url JSON, a field missing or of the wrong kind) is 400 naming `cursor`, never a query
 * error (a 500).
 */
export function decodeCursor<K extends Record<string, string>>(
  cursor: string | undefined,
  fields: { [F in keyof K]: CursorField },
): K | undefined {
  if (!cursor) return undefined;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    const valid =
      value !== null &&
      typeof value === 'object' &&
      Object.entries(fields).every(([f, kind]) => {
        const v = value[f];
        return typeof v === 'string' && CURSOR_FIELD[kind as CursorField](v);
      });
    if (valid) return value as K;
  } catch {
    // fall through
  }
  throw new PlatformError('platform.validation_failed', 400, 'Invalid request: cursor.', {
    errors: [{ field: 'cursor', messages: ['cursor is not a cursor this endpoint issued'] }],
  });
}

/**
 * Builds a page from `limit + 1` fetched rows: the extra row only tells whether there is more.
 */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  map: (r: R) => T,
  key: (r: R) => Record<string, unknown>,
): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items: items.map(map),
    nextCursor: rows.length > limit && last ? encodeCursor(key(last)) : null,
  };
}
