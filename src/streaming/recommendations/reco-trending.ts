import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/**
 * The cold-start shelf: what to show a viewer without history, a video without neighbours, and
 * to fill a short list. Most viewed READY public videos (ties: newest first).
 * TODO(lead): answer from analytics' `Trending.top(limit, excludeIds)` (its hot score over
 * recent views) once it exists — this class is the only place to change.
 */
@Injectable()
export class RecoTrending {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Up to `limit` video ids, best first, none of `exclude`. */
  async top(limit: number, exclude: readonly string[]): Promise<string[]> {
    if (limit <= 0) return [];
    const rows = await this.db.query<{ id: string }[]>(
      `SELECT id FROM streaming.videos
        WHERE state = 'READY' AND visibility = 'public' AND NOT (id = ANY($2::uuid[]))
        ORDER BY views DESC, id DESC
        LIMIT $1`,
      [limit, exclude],
    );
    return rows.map((r) => r.id);
  }
}
