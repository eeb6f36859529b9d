import { createTestApp, type TestApp } from '@app/testing';
import { v7 as uuidv7 } from 'uuid';
import { RecoFeatures } from '../../src/streaming/recommendations/reco-features.js';
import { Recommender } from '../../src/streaming/recommendations/recommender.js';
import { insertVideo } from './video-rows.js';

/** mulberry32: a seeded PRNG, so the generated log is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const CLUSTERS = 5;
const PER_CLUSTER = 20;
const USERS = 300;
const IN_CLUSTER = 8;
const NOISE = 2;

/**
 * Offline evaluation of the shipped recommender (the real feature store script, the real
 * blend, the real PostgreSQL filters) on a generated watch log with planted taste clusters:
 * 5 clusters × 20 videos; 300 viewers, each watching 8 videos of their cluster plus 2 "popular
 * noise" videos drawn from a Zipf distribution over all 100. Leave-one-out: each viewer's last
 * watch is held out of the features, 10 are recommended from the rest, and a hit is the held-out
 * video among them. The baseline is most-popular (by training views), minus what the viewer
 * watched — the same exclusion.
 */
describe('streaming recommendations offline evaluation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('hit-rate@10 of co-visitation beats most-popular by a clear margin (≥ 2× and ≥ +0.2) on planted taste clusters', async () => {
    const random = prng(20_100);
    const channels = Array.from({ length: 50 }, () => uuidv7());
    const videos: string[] = [];
    for (let n = 0; n < CLUSTERS * PER_CLUSTER; n++) {
      videos.push(await insertVideo(t, { channelId: channels[n % channels.length]! }));
    }
    // Zipf noise over a shuffled ranking of all videos (the head spans clusters).
    const ranking = [...videos].sort(() => random() - 0.5);
    const zipf = ranking.map((_, r) => 1 / (r + 1));
    const zipfTotal = zipf.reduce((a, b) => a + b, 0);
    const popularPick = () => {
      let x = random() * zipfTotal;
      for (const [r, w] of zipf.entries()) if ((x -= w) <= 0) return ranking[r]!;
      return ranking[ranking.length - 1]!;
    };

    const start = Date.now() - 2 * 86_400_000;
    const logs: { viewer: string; watches: string[] }[] = [];
    for (let u = 0; u < USERS; u++) {
      const cluster = videos.slice(
        (u % CLUSTERS) * PER_CLUSTER,
        ((u % CLUSTERS) + 1) * PER_CLUSTER,
      );
      const watches = new Set<string>();
      while (watches.size < IN_CLUSTER) watches.add(cluster[Math.floor(random() * PER_CLUSTER)]!);
      while (watches.size < IN_CLUSTER + NOISE) watches.add(popularPick());
      logs.push({ viewer: uuidv7(), watches: [...watches].sort(() => random() - 0.5) });
    }

    // Train: every watch but each viewer's last, through the feature store's own script.
    const features = t.resolve(RecoFeatures);
    const views = new Map<string, number>();
    for (const [u, { viewer, watches }] of logs.entries()) {
      for (const [n, video] of watches.slice(0, -1).entries()) {
        await features.recordView(viewer, video, start + u * 60_000 + n * 600_000);
        views.set(video, (views.get(video) ?? 0) + 1);
      }
    }
    for (const [video, n] of views) {
      await t.dataSource.query(`UPDATE streaming.videos SET views = $2 WHERE id = $1`, [video, n]);
    }

    const recommender = t.resolve(Recommender);
    // Most-popular: the most viewed videos of the training log, minus what the viewer watched.
    const mostPopular = async (exclude: string[]) =>
      (
        await t.dataSource.query<{ id: string }[]>(
          `SELECT id FROM streaming.videos WHERE NOT (id = ANY($1::uuid[]))
            ORDER BY views DESC, id DESC LIMIT 10`,
          [exclude],
        )
      ).map((r) => r.id);
    let recoHits = 0;
    let popularHits = 0;
    for (const { viewer, watches } of logs) {
      const heldOut = watches[watches.length - 1]!;
      const recommended = (await recommender.forViewer(viewer, 10)).map((x) => x.id);
      const popular = await mostPopular(watches.slice(0, -1));
      expect(recommended).toHaveLength(10);
      if (recommended.includes(heldOut)) recoHits++;
      if (popular.includes(heldOut)) popularHits++;
    }
    const reco = recoHits / USERS;
    const popular = popularHits / USERS;
    console.log(
      `offline hit-rate@10 over ${USERS} viewers: co-visitation ${reco.toFixed(3)}, ` +
        `most-popular ${popular.toFixed(3)}`,
    );
    expect(reco).toBeGreaterThanOrEqual(2 * popular);
    expect(reco).toBeGreaterThanOrEqual(popular + 0.2);
  });
});
