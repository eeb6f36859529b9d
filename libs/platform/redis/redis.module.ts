import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.js';

/** The one shared ioredis connection (commands). Blocking consumers (BullMQ) open their own. */
export const REDIS = Symbol('REDIS');
export const InjectRedis = () => Inject(REDIS);

/**
 * Per-context key space. Each context owns `<REDIS_PREFIX><context>:` and nothing else, so keys
 * never cross a boundary: `keys.for('commerce').key('stock', sku)` → `commerce:stock:<sku>`.
 */
@Injectable()
export class RedisKeys {
  constructor(private readonly config: AppConfig) {}

  for(context: string) {
    const base = `${this.config.REDIS_PREFIX}${context}:`;
    return {
      prefix: base,
      key: (...parts: (string | number)[]) => base + parts.join(':'),
    };
  }
}

@Injectable()
class RedisLifecycle implements OnApplicationShutdown {
  constructor(@InjectRedis() private readonly redis: Redis) {}
  async onApplicationShutdown() {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

export function createRedis(url: string, name: string): Redis {
  return new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: 3,
    enableAutoPipelining: true,
  });
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [AppConfig],
      useFactory: (c: AppConfig) => createRedis(c.REDIS_URL, 'app'),
    },
    RedisKeys,
    RedisLifecycle,
  ],
  exports: [REDIS, RedisKeys],
})
export class RedisModule {}
