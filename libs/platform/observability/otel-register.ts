/**
 * Preload for full auto-instrumentation (http, pg, ioredis, amqplib patched before they load):
 * `node --import ./dist/libs/platform/observability/otel-register.js dist/src/main.js`.
 * Does nothing without OTEL_EXPORTER_OTLP_ENDPOINT.
 */
import { startTracing, tracingServiceName } from './tracing.js';

await startTracing({
  endpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT,
  serviceName: tracingServiceName(process.env),
});
