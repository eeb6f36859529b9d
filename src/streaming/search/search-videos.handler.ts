import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { decodeCursor, encodeCursor, ValidationFailed } from '@app/platform';
import { DataSource, type EntityManager } from 'typeorm';
import type { Visibility } from '../content/video.entity.js';
import {
  MATCHES,
  type Match,
  type SearchVideosQuery,
  type VideoSearchHit,
  type VideoSearchPage,
} from './search.dto.js';

export class SearchVideos extends Query<VideoSearchPage> {
  constructor(readonly query: SearchVideosQuery) {
    super();
  }
}

/** Below this many full-text matches, titles close to the words are blended in. */
export const FUZZY_BELOW = 5;
/** `word_similarity(q, title)` a typo match needs (`mountian` ~ "Mountain sunrise": 0.56). */
export const FUZZY_THRESHOLD = 0.45;

/** The words of `q`, lower-cased (letters and digits; anything else separates them). */
export function searchWords(q: string | undefined): string[] {
  return (q ?? '').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Every word becomes a prefix term: `mount sunr` → `mount:* & sunr:*`. */
export const toTsQuery = (words: string[]): string => words.map((w) => `${w}:*`).join(' & ');

interface HitRow {
  id: string;
  channel_id: string;
  title: string;
  description: string;
  tags: string[];
  visibility: Visibility;
  duration_ms: number | null;
  views: string;
  created_at: Date;
  rank: number;
  rank_text: string;
  text_match: boolean;
}

type SearchCursor = { r: string; id: string; m: string };

/**
 * Video search in PostgreSQL. Only READY `public` and `subscribers` videos. With words: the
 * weighted tsvector (title A, tags B, description C) matched by prefix terms and ranked by
 * `ts_rank_cd(…, 32)` (in [0, 1)); when fewer than FUZZY_BELOW videos match, the page is in
 * "fuzzy" mode: full-text matches rank 1 + that, and videos whose title is close to the words
 * (`q <% title`, the trigram index, word_similarity ≥ FUZZY_THRESHOLD) follow at their
 * similarity × 0.99. The mode is decided on the first page and carried in the cursor, so a
 * walk's pages never overlap. Keyset pagination on (rank, id); without words rank is 0 and
 * pages go newest first (ids are UUID v7).
 */
@QueryHandler(SearchVideos)
export class SearchVideosHandler implements IQueryHandler<SearchVideos> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ query }: SearchVideos): Promise<VideoSearchPage> {
    if (
      query.minDurationMs !== undefined &&
      query.maxDurationMs !== undefined &&
      query.maxDurationMs < query.minDurationMs
    ) {
      throw new ValidationFailed([
        { field: 'maxDurationMs', messages: ['maxDurationMs must not be below minDurationMs'] },
      ]);
    }
    const after = decodeCursor<SearchCursor>(query.cursor, { r: 'real', id: 'uuid', m: 'string' });
    if (after && !(MATCHES as readonly string[]).includes(after.m)) {
      throw new ValidationFailed([
        { field: 'cursor', messages: ['cursor is not a cursor this endpoint issued'] },
      ]);
    }
    const words = searchWords(query.q);
    const filters = [
      query.tag ?? null,
      query.channelId ?? null,
      query.minDurationMs ?? null,
      query.maxDurationMs ?? null,
    ];
    return this.db.transaction(async (m) => {
      const mode: Match = !words.length
        ? 'browse'
        : ((after?.m as Match | undefined) ?? (await this.modeFor(m, words, filters)));
      if (mode === 'fuzzy') {
        await m.query(`SELECT set_config('pg_trgm.word_similarity_threshold', $1, true)`, [
          String(FUZZY_THRESHOLD),
        ]);
      }
      const rows = await m.query<HitRow[]>(
        `WITH hits AS (${matchSql(mode)})
         SELECT *, rank::text AS rank_text FROM hits
          WHERE ($7::real IS NULL OR (rank, id) < ($7::real, $8::uuid))
          ORDER BY rank DESC, id DESC LIMIT $9`,
        [
          words.length ? toTsQuery(words) : null,
          words.join(' '),
          ...filters,
          after?.r ?? null,
          after?.id ?? null,
          query.limit + 1,
        ],
      );
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      return {
        items: page.map((r) => toHit(r, mode)),
        nextCursor:
          rows.length > query.limit && last
            ? encodeCursor({ r: last.rank_text, id: last.id, m: mode })
            : null,
      };
    });
  }

  /** `text` when at least FUZZY_BELOW videos match the words, else `fuzzy`. */
  private async modeFor(m: EntityManager, words: string[], filters: unknown[]): Promise<Match> {
    const [{ n }] = await m.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM (
         SELECT 1 FROM streaming.videos v
          WHERE ${FILTERS} AND v.search @@ to_tsquery('english', $1) LIMIT ${FUZZY_BELOW}) x`,
      [toTsQuery(words), ...filters],
    );
    return n >= FUZZY_BELOW ? 'text' : 'fuzzy';
  }
}

/** The filters every mode shares: $1 the tsquery text, $2 tag, $3 channel, $4/$5 durations. */
const FILTERS = `v.state = 'READY' AND v.visibility IN ('public', 'subscribers')
  AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM unnest(v.tags) t WHERE lower(t) = lower($2::text)))
  AND ($3::uuid IS NULL OR v.channel_id = $3::uuid)
  AND ($4::int IS NULL OR v.duration_ms >= $4::int)
  AND ($5::int IS NULL OR v.duration_ms <= $5::int)`;

/** FILTERS with the parameters shifted by one ($2 is the words in the page query). */
const PAGE_FILTERS = FILTERS.replace(/\$(\d)/g, (_, n: string) => `$${Number(n) + 1}`);

const COLUMNS = `v.id, v.channel_id, v.title, v.description, v.tags, v.visibility, v.duration_ms,
  v.views, v.created_at`;
const TS = `to_tsquery('english', $1)`;

function matchSql(mode: Match): string {
  switch (mode) {
    case 'browse':
      // No words: $1 is null and $2 empty (said, so that PostgreSQL knows their types).
      return `SELECT ${COLUMNS}, 0::real AS rank, false AS text_match
                FROM streaming.videos v WHERE ${PAGE_FILTERS} AND $1::text IS NULL AND $2::text = ''`;
    case 'text':
      return `SELECT ${COLUMNS}, ts_rank_cd(v.search, ${TS}, 32)::real AS rank, true AS text_match
                FROM streaming.videos v
               WHERE ${PAGE_FILTERS} AND v.search @@ ${TS} AND $2::text <> ''`;
    case 'fuzzy':
      return `SELECT ${COLUMNS},
                     (CASE WHEN v.search @@ ${TS} THEN 1 + ts_rank_cd(v.search, ${TS}, 32)
                           ELSE 0.99 * word_similarity($2, v.title) END)::real AS rank,
                     v.search @@ ${TS} AS text_match
                FROM streaming.videos v
               WHERE ${PAGE_FILTERS} AND (v.search @@ ${TS} OR $2::text <% v.title)`;
  }
}

function toHit(r: HitRow, mode: Match): VideoSearchHit {
  return {
    id: r.id,
    channelId: r.channel_id,
    title: r.title,
    description: r.description,
    tags: r.tags,
    visibility: r.visibility,
    durationMs: r.duration_ms ?? 0,
    views: Number(r.views),
    createdAt: r.created_at.toISOString(),
    rank: Number(r.rank),
    match: mode === 'browse' ? 'browse' : r.text_match ? 'text' : 'fuzzy',
  };
}
