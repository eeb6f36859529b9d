import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { VideoAccess, type Viewer } from '../content/video-access.js';
import { RecoFeatures } from './reco-features.js';
import { Trending } from '../analytics/trending.js';
import { blend, diversify } from './scoring.js';

export const REASONS = ['because-you-watched', 'watched-together', 'trending'] as const;
export type Reason = (typeof REASONS)[number];

/** A recommended video as the API answers it. */
export interface RecommendedItem {
  id: string;
  title: string;
  channelId: string;
  durationMs: number | null;
  views: number;
  reason: Reason;
  /** The video of yours (or the one asked about) that led here; absent for trending. */
  becauseOf?: string;
}

/** A seed's weight halves every 3 days. */
export const RECENCY_HALF_LIFE_MS = 3 * 86_400_000;
/** A video viewed but not finished scores a fifth (kept to resume, but rewatches stay low). */
export const REWATCH_FACTOR = 0.2;
/** At most this many videos of one channel in a personalised list. */
export const PER_CHANNEL_CAP = 2;
/** Scored candidates looked up in PostgreSQL (the rest are too far down to matter). */
const CANDIDATES = 300;

interface SummaryRow {
  id: string;
  title: string;
  channel_id: string;
  duration_ms: number | null;
  views: string;
}

type Choice = { id: string; reason: Reason; becauseOf?: string };

/**
 * Related videos and personalised recommendations from the co-visitation features. Only READY
 * public videos are ever listed (unlisted, private, subscriber-only and unfinished uploads
 * never are); trending fills what co-visitation cannot.
 */
@Injectable()
export class Recommender {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: VideoAccess,
    private readonly features: RecoFeatures,
    private readonly trending: Trending,
  ) {}

  /**
   * Up to `limit` videos watched together with `videoId` (which `viewer` must see, else 404),
   * best `r = c_ij / (c_i · c_j)` first, then trending.
   */
  async related(videoId: string, viewer: Viewer, limit: number): Promise<RecommendedItem[]> {
    await this.access.visible(videoId, viewer);
    const neighbours = (await this.features.neighbours([videoId])).get(videoId) ?? [];
    const picks: Choice[] = neighbours.map((n) => ({
      id: n.videoId,
      reason: 'watched-together',
      becauseOf: videoId,
    }));
    const listed = await this.summaries(picks, [videoId]);
    const items = listed.slice(0, limit);
    return this.fill(items, limit, [videoId], Number.POSITIVE_INFINITY);
  }

  /**
   * Up to `limit` videos for the viewer: the neighbours of what they watched recently, blended
   * by recency and `r` (scoring.ts), minus what they finished, at most `PER_CHANNEL_CAP` per
   * channel, then trending (all trending for a viewer without history: cold start).
   */
  async forViewer(viewerId: string, limit: number): Promise<RecommendedItem[]> {
    const [seeds, finished] = await Promise.all([
      this.features.history(viewerId),
      this.features.finished(viewerId),
    ]);
    const neighbours = await this.features.neighbours(seeds.map((s) => s.videoId));
    const scored = blend(seeds, neighbours, {
      now: Date.now(),
      halfLifeMs: RECENCY_HALF_LIFE_MS,
      finished,
      rewatchFactor: REWATCH_FACTOR,
    });
    const picks: Choice[] = scored.slice(0, CANDIDATES).map((s) => ({
      id: s.videoId,
      reason: 'because-you-watched',
      becauseOf: s.becauseOf,
    }));
    const items = diversify(await this.summaries(picks, []), PER_CHANNEL_CAP, limit);
    const excluded = [...finished, ...seeds.map((s) => s.videoId)];
    return this.fill(items, limit, excluded, PER_CHANNEL_CAP);
  }

  /** `items` topped up with trending videos (none of `exclude`), at most `cap` per channel. */
  private async fill(
    items: RecommendedItem[],
    limit: number,
    exclude: readonly string[],
    cap: number,
  ): Promise<RecommendedItem[]> {
    if (items.length >= limit) return items;
    const skip = [...exclude, ...items.map((i) => i.id)];
    // More than needed: some may be skipped by the channel cap.
    const hot = await this.trending.top(Number.isFinite(cap) ? limit * 3 : limit, skip);
    const ids = hot.map((v) => v.id);
    const trending = await this.summaries(
      ids.map((id) => ({ id, reason: 'trending' })),
      [],
    );
    return diversify([...items, ...trending], cap, limit);
  }

  /** The picks that are READY public videos, in order, with their summaries. */
  private async summaries(picks: Choice[], exclude: readonly string[]): Promise<RecommendedItem[]> {
    if (picks.length === 0) return [];
    const rows = await this.db.query<SummaryRow[]>(
      `SELECT id, title, channel_id, duration_ms, views FROM streaming.videos
        WHERE id = ANY($1::uuid[]) AND NOT (id = ANY($2::uuid[]))
          AND state = 'READY' AND visibility = 'public'`,
      [picks.map((p) => p.id), exclude],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    return picks.flatMap((p) => {
      const row = byId.get(p.id);
      if (!row) return [];
      return [
        {
          id: row.id,
          title: row.title,
          channelId: row.channel_id,
          durationMs: row.duration_ms,
          views: Number(row.views),
          reason: p.reason,
          ...(p.becauseOf ? { becauseOf: p.becauseOf } : {}),
        },
      ];
    });
  }
}
