import { Injectable } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { Redis } from 'ioredis';
import { InjectRedis, RedisKeys } from '../redis/redis.module.js';

// Hand-written (one Lua script) because @nest-lab/throttler-storage-redis does not yet declare
// NestJS 12 in its peer range. Fixed window per key; a key over its limit is blocked for
// `blockDuration`. Atomic in Redis, so every app instance shares the same counters.
const SCRIPT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if hits > tonumber(ARGV[2]) and redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
end
local blockTtl = redis.call('PTTL', KEYS[2])
return { hits, ttl, blockTtl }`;

@Injectable()
export class RedisThrottlerStorage implements ThrottlerStorage {
  constructor(
    @InjectRedis() private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, name: string) {
    const ns = this.keys.for('platform');
    const [hits, ttlMs, blockMs] = (await this.redis.eval(
      SCRIPT,
      2,
      ns.key('throttle', name, key),
      ns.key('throttle', name, key, 'blocked'),
      ttl,
      limit,
      blockDuration || ttl,
    )) as [number, number, number];
    const blocked = blockMs > 0;
    return {
      totalHits: hits,
      timeToExpire: Math.ceil(Math.max(ttlMs, 0) / 1000),
      isBlocked: blocked,
      timeToBlockExpire: blocked ? Math.ceil(blockMs / 1000) : 0,
    };
  }
}
