import { blend, diversify, recencyWeight, relatedness, topNeighbours } from './scoring.js';

describe('recommendation scoring', () => {
  it('relatedness is c_ij / (c_i · c_j), and 0 for a video never viewed', () => {
    expect(relatedness(3, 4, 6)).toBeCloseTo(3 / 24);
    expect(relatedness(3, 0, 6)).toBe(0);
  });

  it('top neighbours: below the minimum count left out, ranked by r (a popular neighbour ranks below a specific one), capped at k', () => {
    const top = topNeighbours(
      10,
      [
        { videoId: 'popular', cij: 8, cj: 100 }, // r = 0.008
        { videoId: 'specific', cij: 4, cj: 5 }, // r = 0.08
        { videoId: 'chance', cij: 1, cj: 1 }, // r = 0.1 but c_ij < 2
        { videoId: 'middle', cij: 5, cj: 20 }, // r = 0.025
      ],
      { k: 2, minCount: 2 },
    );
    expect(top.map((n) => n.videoId)).toEqual(['specific', 'middle']);
    expect(top[0]).toEqual({ videoId: 'specific', r: 0.08, count: 4 });
  });

  it('recency halves a seed’s weight every half-life', () => {
    expect(recencyWeight(1000, 1000, 100)).toBe(1);
    expect(recencyWeight(900, 1000, 100)).toBeCloseTo(0.5);
    expect(recencyWeight(2000, 1000, 100)).toBe(1); // a clock skew is not a bonus
  });

  it('blend: sums recency-weighted, per-seed scaled r; finished left out; viewed damped; becauseOf is the strongest seed', () => {
    const now = 10_000;
    const scored = blend(
      [
        { videoId: 'recent', at: now },
        { videoId: 'old', at: now - 1000 },
      ],
      new Map([
        [
          'recent',
          [
            { videoId: 'a', r: 0.5, count: 3 },
            { videoId: 'b', r: 0.25, count: 2 },
            { videoId: 'done', r: 0.5, count: 9 },
          ],
        ],
        [
          'old',
          [
            { videoId: 'b', r: 0.002, count: 4 },
            { videoId: 'recent', r: 0.001, count: 2 },
          ],
        ],
      ]),
      { now, halfLifeMs: 1000, finished: new Set(['done']), rewatchFactor: 0.2 },
    );
    const byId = new Map(scored.map((s) => [s.videoId, s]));
    expect(byId.has('done')).toBe(false);
    expect(byId.get('a')!.score).toBeCloseTo(1);
    expect(byId.get('b')!.score).toBeCloseTo(0.5 + 0.5); // scaled: 0.25/0.5 and (½)·0.002/0.002
    expect(byId.get('b')!.becauseOf).toBe('recent');
    expect(byId.get('recent')!.score).toBeCloseTo(0.5 * 0.5 * 0.2);
    expect(scored.map((s) => s.videoId)).toEqual(['a', 'b', 'recent']);
  });

  it('diversify keeps order, at most `cap` per channel, up to `limit`', () => {
    const items = ['x1', 'x2', 'x3', 'y1', 'x4', 'z1', 'y2'].map((id) => ({
      id,
      channelId: id[0]!,
    }));
    expect(diversify(items, 2, 10).map((i) => i.id)).toEqual(['x1', 'x2', 'y1', 'z1', 'y2']);
    expect(diversify(items, 2, 3).map((i) => i.id)).toEqual(['x1', 'x2', 'y1']);
  });
});
