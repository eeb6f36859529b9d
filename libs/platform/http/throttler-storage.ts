import { Injectable } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { Redis } from 'ioredis';
import { BoundedMap } from '../memory/bounded-map.js';
import { InjectRedis, RedisKeys } from '../redis/redis.module.js';

// Hand-written (one Lua script) because @nest-lab/throttler-storage-redis does not yet declare
// NestJS 12 in its peer range. Fixed window per key; a key over its limit is blocked for
// `blockDuration`. Atomic in Redis, so every app instance shares the same counters.
//
// A call takes `grant` hits at once (ARGV[4] wanted, never past the limit, at least the one of
// this request): the process keeps the rest as a local lease (below).
const SCRIPT = `
local limit = tonumber(ARGV[2])
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local grant = math.max(1, math.min(tonumber(ARGV[4]), limit - used))
local hits = redis.call('INCRBY', KEYS[1], grant)
if hits == grant then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if hits > limit and redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
end
local blockTtl = redis.call('PTTL', KEYS[2])
return { hits, ttl, blockTtl, grant }`;

/**
 * A key's limit is leased to a process in slices of 1 % of it (at most 50): a limit of 1,200 a
 * minute costs a Redis round trip every 12 requests of one client on one process instead of
 * every request, and a limit under 200 is counted in Redis request by request, as before.
 *
 * What it gives up: a slice taken but not yet used stays with its process until the window
 * ends, so while one process holds up to `slice − 1` hits another may already refuse the client
 * (a client is refused at most `(processes − 1) × (slice − 1)` requests early, never let through
 * past its limit: every hit is counted in Redis before it is used). `X-RateLimit-Remaining` is
 * as of this process's last slice.
 */
const SLICE_SHARE = 0.01;
const SLICE_MAX = 50;
/** Leases kept per process (one per route and client in a window); the oldest go first. */
const LEASES_MAX = 10_000;

interface Lease {
  /** Hits taken from Redis and not used yet. */
  left: number;
  /** The key's count as this process last knew it, with its own use since. */
  hits: number;
  expiresAt: number;
}

type Hit = Awaited<ReturnType<ThrottlerStorage['increment']>>;
type ThrottleCommand = (...args: (string | number)[]) => Promise<[number, number, number, number]>;

@Injectable()
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly leases = new BoundedMap<string, Lease>(LEASES_MAX);
  /** Per key, the slice being taken: requests that find no lease wait for it, not Redis. */
  private readonly taking = new Map<string, Promise<unknown>>();
  private readonly command: ThrottleCommand;

  constructor(
    @InjectRedis() redis: Redis,
    private readonly keys: RedisKeys,
  ) {
    redis.defineCommand('fiveThrottle', { numberOfKeys: 2, lua: SCRIPT });
    const client = redis as Redis & { fiveThrottle: ThrottleCommand };
    this.command = (...args) => client.fiveThrottle(...args);
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    name: string,
  ): Promise<Hit> {
    const ns = this.keys.for('platform');
    const redisKey = ns.key('throttle', name, key);
    const slice = Math.min(SLICE_MAX, Math.max(1, Math.floor(limit * SLICE_SHARE)));
    for (;;) {
      const local = this.fromLease(redisKey);
      if (local) return local;
      const taking = slice > 1 ? this.taking.get(redisKey) : undefined;
      if (!taking) break;
      await taking;
    }
    const taken = this.take(redisKey, ns.key('throttle', name, key, 'blocked'), {
      ttl,
      limit,
      block: blockDuration || ttl,
      slice,
    });
    if (slice > 1) {
      const settled = taken.then(
        () => this.taking.delete(redisKey),
        () => this.taking.delete(redisKey),
      );
      this.taking.set(redisKey, settled);
    }
    return taken;
  }

  /** This request's hit, and the rest of the slice Redis granted kept as the lease. */
  private async take(
    redisKey: string,
    blockedKey: string,
    p: { ttl: number; limit: number; block: number; slice: number },
  ): Promise<Hit> {
    const now = Date.now(); // before the call: the lease ends no later than the Redis window
    const [hits, ttlMs, blockMs, grant] = await this.command(
      redisKey,
      blockedKey,
      p.ttl,
      p.limit,
      p.block,
      p.slice,
    );
    const totalHits = hits - grant + 1;
    if (grant > 1)
      this.leases.set(redisKey, { left: grant - 1, hits: totalHits, expiresAt: now + ttlMs });
    const blocked = blockMs > 0;
    return {
      totalHits,
      timeToExpire: Math.ceil(Math.max(ttlMs, 0) / 1000),
      isBlocked: blocked,
      timeToBlockExpire: blocked ? Math.ceil(blockMs / 1000) : 0,
    };
  }

  /** One hit from this process's lease of the key, while it has one left in its window. */
  private fromLease(redisKey: string): Hit | undefined {
    const lease = this.leases.get(redisKey);
    if (!lease) return undefined;
    const now = Date.now();
    if (lease.left <= 0 || lease.expiresAt <= now) {
      this.leases.delete(redisKey);
      return undefined;
    }
    lease.left--;
    lease.hits++;
    return {
      totalHits: lease.hits,
      timeToExpire: Math.ceil((lease.expiresAt - now) / 1000),
      isBlocked: false,
      timeToBlockExpire: 0,
    };
  }
}
