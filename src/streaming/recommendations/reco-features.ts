import { Injectable } from '@nestjs/common';
import { ContextRedis } from '@app/platform';
import type { Redis } from 'ioredis';
import { StreamingConfig } from '../streaming.config.js';
import {
  COUNT_KEY,
  DIRTY_KEY,
  FINISHED_CAP,
  finishedKey,
  historyKey,
  NEIGHBOUR_CAP,
  NEIGHBOURS_BASE,
  neighboursKey,
  RECORD_VIEW_SCRIPT,
  TOP_TTL_SECONDS,
  topKey,
  VIEWER_TTL_SECONDS,
} from './reco-keys.js';
import { topNeighbours, type Neighbour, type Seed } from './scoring.js';

/** The feature store's Lua command, defined on the context's client (EVALSHA after first use). */
interface RecoCommands {
  recoRecordView(
    history: string,
    count: string,
    dirty: string,
    neighboursBase: string,
    ...args: (string | number)[]
  ): Promise<number>;
}

type Stored = [videoId: string, r: number, count: number][];

function checked<T>(res: [Error | null, unknown][] | null): T[] {
  if (!res) throw new Error('redis transaction was aborted');
  return res.map(([err, value]) => {
    if (err) throw err;
    return value as T;
  });
}

/**
 * The co-visitation features in Redis (layout and counting rules: reco-keys.ts): views and
 * finishes in, a viewer's history and a video's top-K neighbours out. Redis is a cache here:
 * losing it loses what was learned, never correctness (reco-rebuild.ts replays it).
 */
@Injectable()
export class RecoFeatures {
  private readonly redis: Redis & RecoCommands;

  constructor(
    context: ContextRedis,
    private readonly config: StreamingConfig,
  ) {
    context.client.defineCommand('recoRecordView', { numberOfKeys: 4, lua: RECORD_VIEW_SCRIPT });
    this.redis = context.client as Redis & RecoCommands;
  }

  get windowMs(): number {
    return this.config.STREAMING_COVISIT_WINDOW_HOURS * 3_600_000;
  }

  /**
   * Counts one view (atomic, idempotent: reco-keys.ts). Returns the pairs it counted, or -1
   * when it fell inside an open session (a repeat or a second delivery) and counted nothing.
   */
  recordView(viewerId: string, videoId: string, at: number): Promise<number> {
    return this.redis.recoRecordView(
      historyKey(viewerId),
      COUNT_KEY,
      DIRTY_KEY,
      NEIGHBOURS_BASE,
      videoId,
      at,
      this.windowMs,
      this.config.STREAMING_RECO_HISTORY,
      NEIGHBOUR_CAP,
      VIEWER_TTL_SECONDS,
    );
  }

  /** Remembers that the viewer finished the video (ZADD: a repeat changes nothing). */
  async recordFinished(viewerId: string, videoId: string, at: number): Promise<void> {
    const key = finishedKey(viewerId);
    checked(
      await this.redis
        .multi()
        .zadd(key, at, videoId)
        .zremrangebyrank(key, 0, -(FINISHED_CAP + 1))
        .expire(key, VIEWER_TTL_SECONDS)
        .exec(),
    );
  }

  /** The viewer's recent views, newest first. */
  async history(viewerId: string): Promise<Seed[]> {
    const flat = await this.redis.zrevrange(historyKey(viewerId), 0, -1, 'WITHSCORES');
    const seeds: Seed[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      seeds.push({ videoId: flat[i]!, at: Number(flat[i + 1]) });
    }
    return seeds;
  }

  /** The videos the viewer finished (the most recent `FINISHED_CAP`). */
  async finished(viewerId: string): Promise<Set<string>> {
    return new Set(await this.redis.zrange(finishedKey(viewerId), 0, -1));
  }

  /** `c_i` of each video (0 when never viewed). */
  async counts(videoIds: readonly string[]): Promise<number[]> {
    if (videoIds.length === 0) return [];
    const values = await this.redis.hmget(COUNT_KEY, ...videoIds);
    return values.map((v) => Number(v ?? 0));
  }

  /** `c_ij` for one pair (0 when never co-viewed). */
  async pairCount(i: string, j: string): Promise<number> {
    return Number((await this.redis.zscore(neighboursKey(i), j)) ?? 0);
  }

  /**
   * The top-K neighbours of each video: the stored lists when current, recomputed for the
   * videos whose counts moved (dirty) or whose list expired.
   */
  async neighbours(videoIds: readonly string[]): Promise<Map<string, Neighbour[]>> {
    const out = new Map<string, Neighbour[]>();
    if (videoIds.length === 0) return out;
    const [dirty, stored] = checked<unknown>(
      await this.redis
        .pipeline()
        .smismember(DIRTY_KEY, ...videoIds)
        .mget(...videoIds.map(topKey))
        .exec(),
    ) as [number[], (string | null)[]];
    await Promise.all(
      videoIds.map(async (videoId, n) => {
        const json = stored[n];
        out.set(
          videoId,
          dirty[n] || json === null || json === undefined
            ? await this.recompute(videoId)
            : (JSON.parse(json) as Stored).map(([id, r, count]) => ({ videoId: id, r, count })),
        );
      }),
    );
    return out;
  }

  /**
   * Recomputes and stores a video's top K. The dirty mark is cleared first: a view counted while
   * this runs marks it again, so the next read recomputes rather than trusting a stale list.
   */
  private async recompute(videoId: string): Promise<Neighbour[]> {
    const { STREAMING_RELATED_TOP_K: k, STREAMING_COVISIT_MIN_COUNT: minCount } = this.config;
    await this.redis.srem(DIRTY_KEY, videoId);
    const [ci, flat] = checked<unknown>(
      await this.redis
        .pipeline()
        .hget(COUNT_KEY, videoId)
        .zrevrangebyscore(neighboursKey(videoId), '+inf', minCount, 'WITHSCORES')
        .exec(),
    ) as [string | null, string[]];
    const ids: string[] = [];
    const cij: number[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      ids.push(flat[i]!);
      cij.push(Number(flat[i + 1]));
    }
    const cj = await this.counts(ids);
    const top = topNeighbours(
      Number(ci ?? 0),
      ids.map((id, n) => ({ videoId: id, cij: cij[n]!, cj: cj[n]! })),
      { k, minCount },
    );
    const stored: Stored = top.map((n) => [n.videoId, n.r, n.count]);
    await this.redis.set(topKey(videoId), JSON.stringify(stored), 'EX', TOP_TTL_SECONDS);
    return top;
  }
}
