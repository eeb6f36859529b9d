import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE, DiscoveryModule } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { BullMQOtel } from 'bullmq-otel';
import type { DataSourceOptions } from 'typeorm';
import { AccessTokens, ADMIN_ROLE, KNOWN_ROLES } from './auth/access-tokens.js';
import { AuthGuard } from './auth/auth.guard.js';
import { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { IdempotencyInterceptor } from './http/idempotency.interceptor.js';
import { ProblemFilter } from './http/problem.filter.js';
import { RequestContext } from './http/request-context.js';
import { RateLimitGuard } from './http/rate-limit.guard.js';
import { RedisThrottlerStorage } from './http/throttler-storage.js';
import { createValidationPipe } from './http/validation.js';
import { MAINTENANCE_QUEUE, MessagingMaintenance } from './jobs/messaging-maintenance.processor.js';
import { Pollers } from './jobs/poller.js';
import { QueueMetrics } from './jobs/queue-metrics.js';
import { CachedEventIdProvider } from './messaging/event-ids.js';
import { MessagingModule } from './messaging/messaging.module.js';
import { AppLogger } from './observability/app-logger.js';
import { createRootLogger } from './observability/logging.js';
import { Metrics } from './observability/metrics.js';
import { MetricsServer } from './observability/metrics-server.js';
import { PlatformMetrics } from './observability/platform-metrics.js';
import { QueueBoard } from './observability/queue-board.js';
import { ObservabilityController } from './observability/observability.controller.js';
import { TENANCY_PROVIDERS } from './tenancy/index.js';
import { ReadinessChecks } from './observability/readiness.js';
import { tracingEnabled } from './observability/tracing.js';
import { TracingInterceptor } from './observability/tracing.interceptor.js';
import { REDIS, RedisKeys, RedisModule } from './redis/redis.module.js';
import { RealtimeModule } from './realtime/realtime.module.js';
import type { Redis } from 'ioredis';
import type { ContextDescriptor } from './context/context-descriptor.js';

/**
 * bullmq-otel over the global tracer. Its context manager has no `root()`, without which BullMQ
 * runs its endless stalled-jobs loop in whatever context started it; give it the empty one.
 */
function bullmqTelemetry(): BullMQOtel {
  const telemetry = new BullMQOtel({ tracerName: 'five-businesses' });
  Object.assign(telemetry.contextManager, { root: () => ROOT_CONTEXT });
  return telemetry;
}

export interface PlatformOptions {
  config: AppConfig;
  /** TypeORM options from src/database.ts (entities and migrations of every context). */
  database: DataSourceOptions;
  /** Every context of the product (src/contexts.ts): their roles and Redis key spaces. */
  contexts: readonly ContextDescriptor[];
  /** Extra log destination (tests capture logs through it). */
  logStream?: NodeJS.WritableStream;
}

/**
 * Everything a context builds on, wired once: config, logging, request context, database,
 * Redis, CQRS bus + outbox/inbox, jobs, auth, validation, problem+json, rate limits, health and
 * metrics. Global, so context modules only import their own things.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot({ config, database, contexts, logStream }: PlatformOptions): DynamicModule {
    const roles = [ADMIN_ROLE, ...new Set(contexts.flatMap((c) => c.roles ?? []))];
    return {
      module: PlatformModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRoot(database),
        RedisModule,
        CqrsModule.forRoot({ eventIdProvider: new CachedEventIdProvider() }),
        BullModule.forRoot({
          connection: { url: config.REDIS_URL },
          prefix: `${config.REDIS_PREFIX}bull`,
          // BullMQ's own spans (add → process, joined through the job's options) when tracing is
          // on; off, no telemetry object at all, so BullMQ skips every span at its first check.
          ...(tracingEnabled() ? { telemetry: bullmqTelemetry() } : {}),
          defaultJobOptions: {
            removeOnComplete: 1000,
            removeOnFail: 5000,
            // Bounded (5 attempts, 1 s doubling) and jittered (each delay 50–100% of its
            // step), so jobs that failed together on a lost Redis or database retry apart.
            attempts: 5,
            backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
          },
          // API-only processes (WORKERS=false) declare queues but start no workers.
          extraOptions: { manualRegistration: !config.WORKERS },
        }),
        BullModule.registerQueue({ name: MAINTENANCE_QUEUE }),
        ThrottlerModule.forRootAsync({
          inject: [AppConfig, REDIS, RedisKeys],
          useFactory: (c: AppConfig, redis: Redis, keys: RedisKeys) => ({
            throttlers: [{ name: 'default', ttl: 60_000, limit: c.RATE_LIMIT_PER_MINUTE }],
            storage: new RedisThrottlerStorage(redis, keys),
            skipIf: (ctx) => {
              const url: string = ctx.switchToHttp().getRequest().url ?? '';
              return url.startsWith('/health') || url === '/metrics';
            },
          }),
        }),
        TerminusModule,
        DiscoveryModule,
        MessagingModule,
        RealtimeModule,
      ],
      controllers: [ObservabilityController],
      providers: [
        // The app's own logger (not a process-wide one): see AppLogger.
        {
          provide: AppLogger,
          useFactory: () => new AppLogger(createRootLogger(config, logStream)),
        },
        RequestContext,
        { provide: KNOWN_ROLES, useValue: roles },
        Pollers,
        AccessTokens,
        Metrics,
        IdempotencyInterceptor,
        MessagingMaintenance,
        QueueMetrics,
        PlatformMetrics,
        MetricsServer,
        QueueBoard,
        ReadinessChecks,
        ...TENANCY_PROVIDERS,
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
        // Only when tracing is on (started before the app is built): off, no interceptor at all
        // sits in every request's path.
        ...(tracingEnabled() ? [{ provide: APP_INTERCEPTOR, useClass: TracingInterceptor }] : []),
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
      exports: [
        AppLogger,
        RequestContext,
        Pollers,
        AccessTokens,
        Metrics,
        IdempotencyInterceptor,
        ReadinessChecks,
        ...TENANCY_PROVIDERS,
        MessagingModule,
        BullModule,
      ],
    };
  }
}
