/**
 * The recommender's arithmetic, as pure functions: the service runs them on the features read
 * from Redis, and the offline evaluation (test/streaming/recommendations-offline.e2e-spec.ts)
 * runs the service itself, so what is measured is what ships.
 */

/** A related video of a video: `r = c_ij / (c_i · c_j)` and the pair count `c_ij` behind it. */
export interface Neighbour {
  videoId: string;
  r: number;
  count: number;
}

/** A candidate neighbour of video `i` as Redis holds it: `c_ij` and the neighbour's `c_j`. */
export interface NeighbourCount {
  videoId: string;
  cij: number;
  cj: number;
}

/** YouTube 2010 (Davidson et al.): co-visitation normalised by both videos' popularity. */
export function relatedness(cij: number, ci: number, cj: number): number {
  return ci > 0 && cj > 0 ? cij / (ci * cj) : 0;
}

const byId = (a: { videoId: string }, b: { videoId: string }) =>
  a.videoId < b.videoId ? -1 : a.videoId > b.videoId ? 1 : 0;

/**
 * The top `k` neighbours of a video seen in `ci` sessions: pairs with `c_ij ≥ minCount` (one or
 * two co-viewers are chance, not taste), ranked by `r`, then by `c_ij`, then by id (stable).
 */
export function topNeighbours(
  ci: number,
  candidates: readonly NeighbourCount[],
  { k, minCount }: { k: number; minCount: number },
): Neighbour[] {
  return candidates
    .filter((c) => c.cij >= minCount && c.cj > 0)
    .map((c) => ({ videoId: c.videoId, r: relatedness(c.cij, ci, c.cj), count: c.cij }))
    .sort((a, b) => b.r - a.r || b.count - a.count || byId(a, b))
    .slice(0, k);
}

/** A video the viewer watched recently: a seed of their recommendations. */
export interface Seed {
  videoId: string;
  /** When they last viewed it (ms). */
  at: number;
}

/** A recommended video, with the seed that contributed most to it. */
export interface Scored {
  videoId: string;
  score: number;
  becauseOf: string;
}

export interface BlendOptions {
  now: number;
  /** A seed's weight halves every `halfLifeMs` (recency). */
  halfLifeMs: number;
  /** Videos the viewer finished: never recommended. */
  finished: ReadonlySet<string>;
  /**
   * Factor on a video the viewer viewed but did not finish (a seed that another seed points
   * to): kept, to resume, but low — YouTube keeps rewatches low.
   */
  rewatchFactor: number;
}

/** 2^(−age / half-life): 1 for a view now, ½ one half-life ago. */
export function recencyWeight(at: number, now: number, halfLifeMs: number): number {
  return 0.5 ** (Math.max(0, now - at) / halfLifeMs);
}

/**
 * Blends the neighbours of the viewer's seeds: a candidate scores Σ over seeds of
 * `recency(seed) · r(seed, candidate) / max r(seed, ·)`. Each seed's list is scaled to its best
 * neighbour because `r` is on a `1 / c_i` scale: unscaled, one rarely watched seed would drown
 * what the viewer watched most recently. Finished videos are left out; viewed ones are damped.
 * Best first (ties by id).
 */
export function blend(
  seeds: readonly Seed[],
  neighbours: ReadonlyMap<string, readonly Neighbour[]>,
  o: BlendOptions,
): Scored[] {
  const viewed = new Set(seeds.map((s) => s.videoId));
  const acc = new Map<string, Scored & { best: number }>();
  for (const seed of seeds) {
    const list = neighbours.get(seed.videoId) ?? [];
    const top = list.reduce((m, n) => Math.max(m, n.r), 0);
    if (top <= 0) continue;
    const w = recencyWeight(seed.at, o.now, o.halfLifeMs);
    for (const n of list) {
      if (n.videoId === seed.videoId || o.finished.has(n.videoId)) continue;
      const part = (w * n.r) / top;
      const entry = acc.get(n.videoId);
      if (!entry)
        acc.set(n.videoId, {
          videoId: n.videoId,
          score: part,
          becauseOf: seed.videoId,
          best: part,
        });
      else {
        entry.score += part;
        if (part > entry.best) Object.assign(entry, { best: part, becauseOf: seed.videoId });
      }
    }
  }
  return [...acc.values()]
    .map(({ videoId, score, becauseOf }) => ({
      videoId,
      becauseOf,
      score: viewed.has(videoId) ? score * o.rewatchFactor : score,
    }))
    .sort((a, b) => b.score - a.score || byId(a, b));
}

/**
 * The first `limit` items in order, at most `cap` per channel (a channel's extra items are
 * skipped, not moved down: the list stays varied all the way).
 */
export function diversify<T extends { channelId: string }>(
  items: readonly T[],
  cap: number,
  limit: number,
): T[] {
  const perChannel = new Map<string, number>();
  const out: T[] = [];
  for (const item of items) {
    if (out.length >= limit) break;
    const n = perChannel.get(item.channelId) ?? 0;
    if (n >= cap) continue;
    perChannel.set(item.channelId, n + 1);
    out.push(item);
  }
  return out;
}
