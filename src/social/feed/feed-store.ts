import { Injectable } from '@nestjs/common';
import { ContextRedis } from '@app/platform';
import type { ChainableCommander, Redis } from 'ioredis';
import { SocialConfig } from '../social.config.js';
import {
  ADD_SCRIPT,
  PAGE_SCRIPT,
  REPLACE_SCRIPT,
  TIER_EXITS_KEY,
  idScore,
  type CappedSet,
} from './feed-keys.js';

type Args = (string | number)[];

/** The feed's Lua commands, defined on the context's client (EVALSHA, loaded on first use). */
interface FeedCommands {
  feedAdd(set: string, horizon: string, ...args: Args): Promise<number>;
  feedReplace(set: string, horizon: string, ...args: Args): Promise<number>;
  feedPage(set: string, horizon: string, ...args: Args): Promise<string[] | null>;
}
type FeedPipeline = ChainableCommander & {
  feedAdd(set: string, horizon: string, ...args: Args): ChainableCommander;
};

/** One page of a capped set: its horizon and ids, newest first; null when not built. */
export interface SetPage {
  horizon: string;
  ids: string[];
}

/** `[score, id, score, id, …]` for ZADD-like arguments. */
function pairs(ids: readonly string[]): Args {
  return ids.flatMap((id) => [idScore(id), id]);
}

/**
 * The feed's sorted sets in Redis: capped adds that keep the horizon right, rebuilds, removals
 * and pages. Every write is idempotent (ZADD of the same member, ZREM of a missing one), so a
 * job or a consumer that runs twice changes nothing the second time.
 */
@Injectable()
export class FeedStore {
  private readonly redis: Redis & FeedCommands;

  constructor(
    context: ContextRedis,
    private readonly config: SocialConfig,
  ) {
    const client = context.client;
    client.defineCommand('feedAdd', { numberOfKeys: 2, lua: ADD_SCRIPT });
    client.defineCommand('feedReplace', { numberOfKeys: 2, lua: REPLACE_SCRIPT });
    client.defineCommand('feedPage', { numberOfKeys: 2, lua: PAGE_SCRIPT });
    this.redis = client as Redis & FeedCommands;
  }

  /** The cap of every feed and author set. */
  get cap(): number {
    return this.config.SOCIAL_FEED_MAX;
  }

  /**
   * Adds `ids` to each built set in one pipelined batch, trimming to the cap; `raiseTo` lifts
   * the horizon (a merge that brought only the newest N of an author's posts). Returns, per
   * set, how many ids were new to it.
   */
  async add(sets: readonly CappedSet[], ids: readonly string[], raiseTo = ''): Promise<number[]> {
    if (sets.length === 0 || ids.length === 0) return sets.map(() => 0);
    const pipeline = this.redis.pipeline() as FeedPipeline;
    const args = [this.cap, raiseTo, ...pairs(ids)];
    for (const s of sets) pipeline.feedAdd(s.key, s.horizonKey, ...args);
    return this.results(await pipeline.exec());
  }

  /** Removes `ids` from each set in one pipelined batch. */
  async remove(sets: readonly CappedSet[], ids: readonly string[]): Promise<void> {
    if (sets.length === 0 || ids.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const s of sets) pipeline.zrem(s.key, ...ids);
    this.results(await pipeline.exec());
  }

  /** Replaces a set with `ids` (newest first) and its horizon (`''`: complete). */
  async replace(set: CappedSet, ids: readonly string[], horizon: string): Promise<void> {
    const score = horizon === '' ? 0 : idScore(horizon);
    await this.redis.feedReplace(set.key, set.horizonKey, horizon, score, this.cap, ...pairs(ids));
  }

  /** Up to `count` ids of a set below `before` (exclusive), newest first; null if not built. */
  async page(set: CappedSet, before: string | undefined, count: number): Promise<SetPage | null> {
    const res = await this.redis.feedPage(
      set.key,
      set.horizonKey,
      before ? idScore(before) : '+inf',
      before ?? '',
      count,
    );
    if (!res) return null;
    const [horizon = '', ...ids] = res;
    return { horizon, ids };
  }

  /** Whether each set is built (has a horizon). */
  async built(sets: readonly CappedSet[]): Promise<boolean[]> {
    if (sets.length === 0) return [];
    const values = await this.redis.mget(...sets.map((s) => s.horizonKey));
    return values.map((v) => v !== null);
  }

  /** Forgets a set (the next read rebuilds it). */
  async drop(set: CappedSet): Promise<void> {
    await this.redis.del(set.key, set.horizonKey);
  }

  /** Records that `authorId` left the celebrity tier now (readers keep merging them a while). */
  async recordTierExit(authorId: string, windowMs: number): Promise<void> {
    const now = Date.now();
    await this.redis.zremrangebyscore(TIER_EXITS_KEY, '-inf', `(${now - windowMs}`);
    await this.redis.zadd(TIER_EXITS_KEY, now, authorId);
  }

  /** Authors who left the celebrity tier within `windowMs`. */
  recentTierExits(windowMs: number): Promise<string[]> {
    return this.redis.zrangebyscore(TIER_EXITS_KEY, Date.now() - windowMs, '+inf');
  }

  private results(res: [Error | null, unknown][] | null): number[] {
    if (!res) throw new Error('feed pipeline was not executed');
    return res.map(([err, value]) => {
      if (err) throw err;
      return typeof value === 'number' ? value : 0;
    });
  }
}
