import { Logger, OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { AppConfig } from '../config/app-config.js';
import { ConfigError } from '../config/config-error.js';

/**
 * Redis's `maxmemory-policy`: `CONFIG GET` first; a managed Redis that disables CONFIG still
 * reports it in `INFO memory`. Undefined when neither answers.
 */
export async function evictionPolicy(redis: Redis): Promise<string | undefined> {
  try {
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as string[];
    if (policy) return policy;
  } catch {
    // CONFIG renamed or disabled by the provider: try INFO.
  }
  try {
    return /^maxmemory_policy:(\S+)/m.exec(await redis.info('memory'))?.[1];
  } catch {
    return undefined;
  }
}

/**
 * Boot check: BullMQ needs `maxmemory-policy noeviction` — under memory pressure any other policy
 * drops jobs, their locks, idempotency keys and session revocations without a word. Refuses to
 * start otherwise, unless REDIS_ALLOW_EVICTION=true (then warns). A Redis that will not say
 * (neither CONFIG nor INFO answers) is let through with a warning. Provided by RedisModule
 * with a factory (this file cannot import its REDIS token: the module imports this file).
 */
export class RedisPolicyCheck implements OnModuleInit {
  private readonly logger = new Logger('Redis');

  constructor(
    private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const policy = await evictionPolicy(this.redis);
    if (policy === undefined) {
      this.logger.warn(
        'could not read maxmemory-policy (CONFIG and INFO refused): make sure it is noeviction',
      );
      return;
    }
    if (policy === 'noeviction') return;
    const problem =
      `Redis maxmemory-policy is "${policy}"; BullMQ jobs, idempotency keys and session ` +
      'revocations need "noeviction" (CONFIG SET maxmemory-policy noeviction, or in redis.conf)';
    if (this.config.REDIS_ALLOW_EVICTION) {
      this.logger.warn(`${problem}; starting anyway because REDIS_ALLOW_EVICTION=true`);
      return;
    }
    throw new ConfigError(`${problem}. Set REDIS_ALLOW_EVICTION=true to start anyway.`);
  }
}
