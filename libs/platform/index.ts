/**
 * @app/platform — what every context builds on. Import from here only (never deep paths).
 */
export * from './config/app-config.js';
export { envBool, envInt, envList } from './config/env-values.js';
export * from './config/load-config.js';
export * from './context/context-descriptor.js';
export * from './database/pg-errors.js';
export * from './database/transactions.js';
export * from './database/group-commit.js';
export {
  crashPoint,
  CRASH_LABELS,
  freezePoint,
  FREEZE_LABELS,
  type CrashLabel,
  type FreezeLabel,
} from './faults/crash-points.js';
export * from './messaging/consumer.decorator.js';
export * from './messaging/outbox.js';
export * from './messaging/internal-event.js';
export * from './messaging/inbox.js';
export * from './messaging/relay.js';
export * from './messaging/event-transport.js';
export * from './messaging/messaging.entities.js';
export * from './jobs/jobs.js';
export * from './jobs/poller.js';
export * from './messaging/backoff.js';
export { MAINTENANCE_QUEUE, type MaintenanceJob } from './jobs/messaging-maintenance.processor.js';
export * from './redis/redis.module.js';
export * from './redis/redis-errors.js';
export { Realtime } from './realtime/realtime.js';
export * from './http/app-error.js';
export * from './http/error-catalogue.js';
export * from './http/problems.module.js';
export * from './http/problem-responses.decorator.js';
export * from './http/problem.dto.js';
export * from './http/problem.filter.js';
export * from './http/pagination.js';
export * from './http/idempotency.interceptor.js';
export * from './http/request-context.js';
export * from './http/validation.js';
export * from './http/configure-app.js';
export * from './http/multipart.js';
export { httpServerOptions } from './http/http-server.js';
export * from './http/openapi-conventions.js';
export * from './auth/access-tokens.js';
export * from './auth/auth.decorators.js';
export * from './observability/app-logger.js';
export * from './memory/bounded-map.js';
export * from './observability/metrics.js';
export * from './observability/tracing.js';
export * from './observability/readiness.js';
export * from './platform.module.js';
export * from './storage/index.js';
export { platformEntities, platformMigrations } from './database/platform-persistence.js';
export { ensureTenantRole } from './database/migrations/1796500000000-PlatformTenantRole.js';
export * from './tenancy/index.js';
export * from './jobs/job-schedule.js';
