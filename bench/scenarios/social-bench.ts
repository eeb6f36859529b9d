import { Redis } from 'ioredis';
import { awaitSocialSettled, checkSocialInvariants } from '../../libs/testing/social-invariants.js';
import {
  seedFollows,
  seedProfiles,
  seedUsers,
  warmFeeds,
  type SqlQuery,
} from '../../libs/testing/social-seed.js';
import { feedHorizonKey } from '../../src/social/feed/feed-keys.js';
import type { BenchApp } from '../app.js';
import { exec, REDIS_URL } from '../env.js';
import type { Measurement } from '../harness.js';

/**
 * What the social scenarios share: graphs seeded with SQL (profiles and follows, counts from the
 * rows; followers' feeds marked built, as their first read leaves them), posts and reads through
 * the API, and the social invariants (libs/testing/social-invariants.ts) checked afterwards.
 */
export type Reader = { id: string; token: string };

export interface Audience {
  author: Reader;
  readers: Reader[];
  followers: string[];
}

/** Followers' ids to watch for a fan-out: every `chunk`'s two ends and both ends of the list. */
export function probes(ids: string[], chunk: number): string[] {
  const at = new Set<number>();
  for (let i = 0; i < ids.length; i += chunk)
    at.add(i).add(Math.min(ids.length - 1, i + chunk - 1));
  for (let i = 0; i < 10; i++) at.add(i).add(ids.length - 1 - i);
  return [...at].map((i) => ids[i]!);
}

export class SocialBench {
  private client?: Redis;
  constructor(readonly app: BenchApp) {}
  /** Connected on first use: scenarios left out by `--only` open nothing. */
  get redis(): Redis {
    return (this.client ??= new Redis(REDIS_URL));
  }
  get prefix() {
    return this.app.env.REDIS_PREFIX!;
  }
  readonly q: SqlQuery = (text, params) => this.app.query(text, params);
  readFeed = (token: string, limit: number, cursor?: string) =>
    this.app.request(
      'GET',
      `/v1/social/feed?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      undefined,
      token,
    );
  /** Users with identity rows, tokens and profiles (the readers and authors of a scenario). */
  async users(n: number, tag: string): Promise<Reader[]> {
    const users = await this.app.customers(n);
    await seedProfiles(
      this.q,
      users.map((u) => u.id),
      { tag },
    );
    return users;
  }
  /** `n` followers of `authors` without tokens, their feeds built (and empty). */
  async followers(n: number, tag: string, authors: string[]): Promise<string[]> {
    const ids = await seedUsers(this.q, n, { tag });
    await seedFollows(this.q, ids, authors);
    await warmFeeds(this.redis, this.prefix, ids, feedHorizonKey);
    return ids;
  }
  /**
   * An author followed by `readers` users with tokens (feeds read once) and `followers` − that
   * many seeded followers; `followers` lists the readers first. Tags: `${tag}a`, `r`, `f`.
   */
  async audience(followerCount: number, readerCount: number, tag: string): Promise<Audience> {
    const [author] = await this.users(1, `${tag}a`);
    const readers = await this.users(readerCount, `${tag}r`);
    await seedFollows(
      this.q,
      readers.map((r) => r.id),
      [author!.id],
    );
    for (const r of readers) await this.readFeed(r.token, 20);
    const seeded = await this.followers(followerCount - readerCount, `${tag}f`, [author!.id]);
    return { author: author!, readers, followers: [...readers.map((r) => r.id), ...seeded] };
  }
  post(token: string, text: string): Promise<{ id: string }> {
    return this.app.post('/v1/social/posts', { text }, token);
  }
  settled() {
    return this.options().then(awaitSocialSettled);
  }
  invariants(readers: Reader[], pushed?: { postIds: string[]; followerIds: string[] }) {
    return this.options().then((o) => checkSocialInvariants({ ...o, readers, pushed }));
  }
  private async options() {
    return {
      databaseUrl: this.app.url,
      redis: this.redis,
      redisPrefix: this.prefix,
      readFeed: this.readFeed,
      settleMs: 120_000,
    };
  }
  close() {
    this.client?.disconnect();
  }
}

/** `redis-benchmark -t zadd -P 16` on the app's Redis (its own database, cleaned after). */
export async function redisZadd(quick: boolean): Promise<Measurement> {
  const url = new URL(REDIS_URL);
  const args = `-t zadd -P 16 -n ${quick ? 50_000 : 1_000_000} -r 100000 -q --dbnum 9`;
  const out = await exec('redis-benchmark', [
    '-h',
    url.hostname,
    '-p',
    url.port || '6379',
    ...args.split(' '),
  ]);
  const m = [...out.matchAll(/ZADD: ([\d.]+) requests per second/g)].at(-1);
  if (!m) throw new Error(`no rate in redis-benchmark output: ${out.slice(-300)}`);
  const redis = new Redis(REDIS_URL, { db: 9 });
  await redis.del('myzset');
  redis.disconnect();
  return { value: Number(m[1]) };
}

/** Sends `count` posts at `perSecond` (open model: none waits for another), in order. */
export async function arrivals<T>(
  count: number,
  perSecond: number,
  send: (i: number) => Promise<T>,
) {
  const t0 = Date.now();
  const sent: Promise<T>[] = [];
  for (let i = 0; i < count; i++) {
    const due = t0 + (i * 1000) / perSecond;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    sent.push(send(i));
  }
  return Promise.all(sent);
}
