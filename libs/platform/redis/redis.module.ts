import {
  DynamicModule,
  Global,
  Inject,
  Injectable,
  Module,
  OnApplicationShutdown,
} from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.js';
import { timeRedisCommands } from '../observability/io-timing.js';
import { Metrics } from '../observability/metrics.js';
import { backoffMs } from '../messaging/backoff.js';
import { RedisPolicyCheck } from './redis-policy.js';

/** The one shared ioredis connection (commands). Blocking consumers (BullMQ) open their own. */
export const REDIS = Symbol('REDIS');
export const InjectRedis = () => Inject(REDIS);

/**
 * The platform's own key spaces (`keys.for('platform').key('idem', …)` →
 * `<REDIS_PREFIX>platform:idem:…`). Contexts never use it: they get a ContextRedis.
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

/**
 * A command client (never for BullMQ, whose blocking connections must wait without a timeout:
 * BullModule opens its own). Every wait is bounded: a command fails after `commandTimeoutMs`
 * (a silent connection is then dropped and reconnected), is re-sent on at most 3 reconnects,
 * and reconnects back off exponentially with jitter up to 2 s, so many processes that lost the
 * same Redis do not reconnect in step.
 */
export function createRedis(
  url: string,
  name: string,
  { commandTimeoutMs = 2_000 }: { commandTimeoutMs?: number } = {},
): Redis {
  return new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: 3,
    enableAutoPipelining: true,
    commandTimeout: commandTimeoutMs,
    socketTimeout: commandTimeoutMs,
    connectTimeout: Math.max(commandTimeoutMs, 1_000),
    retryStrategy: (attempt) => backoffMs(attempt, 100, 2_000),
  });
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      // Metrics comes from the global PlatformModule: every command's latency is recorded.
      inject: [AppConfig, Metrics],
      useFactory: (c: AppConfig, metrics: Metrics) =>
        timeRedisCommands(
          createRedis(c.REDIS_URL, 'app', { commandTimeoutMs: c.REDIS_COMMAND_TIMEOUT_MS }),
          metrics.redisCommandDuration,
        ),
    },
    RedisKeys,
    RedisLifecycle,
    // Boot refuses an evicting Redis (maxmemory-policy other than noeviction).
    {
      provide: RedisPolicyCheck,
      inject: [REDIS, AppConfig],
      useFactory: (redis: Redis, c: AppConfig) => new RedisPolicyCheck(redis, c),
    },
  ],
  exports: [REDIS, RedisKeys],
})
export class RedisModule {}

/**
 * A context's Redis: a client whose every key is prefixed with `<REDIS_PREFIX><context>:` by
 * ioredis itself (`keyPrefix`, also applied to the KEYS of scripts), so a context can only reach
 * its own key space. Write keys without the prefix: `redis.client.get(redis.key('product', id))`.
 */
export class ContextRedis implements OnApplicationShutdown {
  constructor(
    readonly context: string,
    /** The full prefix ioredis adds (for logs and tests; never prepend it yourself). */
    readonly prefix: string,
    readonly client: Redis,
  ) {}

  /** `key('product', id)` → `product:<id>` (stored as `<prefix>product:<id>`). */
  key(...parts: (string | number)[]): string {
    return parts.join(':');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

const CONTEXT_REDIS_MODULES = new WeakMap<object, string>();

/** The context a `ContextRedisModule.forContext(...)` module was made for (boot-time checks). */
export function contextOfRedisModule(module: unknown): string | undefined {
  return typeof module === 'object' && module !== null
    ? CONTEXT_REDIS_MODULES.get(module)
    : undefined;
}

/**
 * Imported by a context module, with its own name: `ContextRedisModule.forContext('commerce')`.
 * The composition root refuses to boot a context that asks for another context's key space, and
 * context code may not inject the platform's unprefixed client (test/architecture).
 */
@Module({})
export class ContextRedisModule {
  static forContext(context: string): DynamicModule {
    if (!/^[a-z][a-z0-9-]*$/.test(context)) {
      throw new Error(`Context "${context}" must be kebab-case`);
    }
    const module: DynamicModule = {
      module: ContextRedisModule,
      providers: [
        {
          provide: ContextRedis,
          inject: [AppConfig, REDIS, Metrics],
          useFactory: (config: AppConfig, shared: Redis, metrics: Metrics) => {
            const prefix = `${config.REDIS_PREFIX}${context}:`;
            // duplicate() is a new client: its commands are timed on their own.
            const client = shared.duplicate({ keyPrefix: prefix, connectionName: context });
            return new ContextRedis(
              context,
              prefix,
              timeRedisCommands(client, metrics.redisCommandDuration),
            );
          },
        },
      ],
      exports: [ContextRedis],
    };
    CONTEXT_REDIS_MODULES.set(module, context);
    return module;
  }
}
