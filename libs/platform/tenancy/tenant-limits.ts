import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { PlatformError } from '../http/app-error.js';
import { REDIS, RedisKeys } from '../redis/redis.module.js';
import type { TenantRecord } from './tenancy.js';

/**
 * A token bucket per tenant and route (capacity and refill = the plan's requests per minute)
 * and the plan's monthly API-call quota, in one script: one round trip per tenant-scoped
 * request. Redis's clock (`TIME`) is used, so processes with skewed clocks share one bucket.
 * Returns {1, tokens left} / {0, retry after ms} / {-1, calls used}.
 */
const BUCKET = `
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local cap = tonumber(ARGV[1])
local rate = cap / 60000
local b = redis.call('HMGET', KEYS[1], 't', 'ts')
local tokens = tonumber(b[1]) or cap
local ts = tonumber(b[2]) or ms
tokens = math.min(cap, tokens + math.max(0, ms - ts) * rate)
if tokens < 1 then return {0, math.ceil((1 - tokens) / rate)} end
local quota = tonumber(ARGV[2])
if quota >= 0 then
  local used = tonumber(redis.call('GET', KEYS[2]) or '0')
  if used >= quota then return {-1, used} end
  redis.call('INCR', KEYS[2])
  redis.call('EXPIRE', KEYS[2], tonumber(ARGV[3]))
end
redis.call('HSET', KEYS[1], 't', tokens - 1, 'ts', ms)
redis.call('PEXPIRE', KEYS[1], 60000)
return {1, math.floor(tokens - 1)}
`;

/**
 * Per-tenant rate limits and quotas by plan (the noisy-neighbour guard AWS's tiered API
 * Gateway sample applies per usage plan). The monthly counter in Redis is the fast gate; the
 * durable count of API calls is the metering's (a Redis that lost it lets a tenant past its
 * quota until the month ends — never refuses one below it).
 */
@Injectable()
export class TenantLimits {
  private readonly keys;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    keys: RedisKeys,
  ) {
    this.keys = keys.for('platform');
    this.redis.defineCommand('tenantBucket', { numberOfKeys: 2, lua: BUCKET });
  }

  /** Takes one request from the tenant's bucket for `route`; throws 429 when there is none. */
  async take(tenant: TenantRecord, route: string): Promise<void> {
    const now = new Date();
    const month = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
    const quota = tenant.limits.apiCallsPerMonth ?? -1;
    let answer: [number, number];
    try {
      answer = await (
        this.redis as Redis & {
          tenantBucket(...args: (string | number)[]): Promise<[number, number]>;
        }
      ).tenantBucket(
        this.keys.key('tenant-rl', tenant.id, route),
        this.keys.key('tenant-quota', tenant.id, month),
        tenant.limits.requestsPerMinute,
        quota,
        32 * 86_400,
      );
    } catch {
      throw new PlatformError(
        'platform.unavailable',
        503,
        'Rate limits cannot be checked right now; retry shortly.',
      );
    }
    const [verdict, value] = answer;
    if (verdict === 0) {
      throw new PlatformError(
        'platform.tenant_rate_limited',
        429,
        `The ${tenant.plan} plan allows ${tenant.limits.requestsPerMinute} requests a minute per route; wait and retry.`,
        {
          plan: tenant.plan,
          limit: tenant.limits.requestsPerMinute,
          window: 'minute',
          retryAfter: Math.ceil(value / 1000),
        },
      );
    }
    if (verdict === -1) {
      throw new PlatformError(
        'platform.tenant_quota_exceeded',
        429,
        `The ${tenant.plan} plan includes ${quota} API calls a month and this month's are used; upgrade the plan or wait for the next month.`,
        { plan: tenant.plan, limit: quota, window: 'month', used: value },
      );
    }
  }
}
