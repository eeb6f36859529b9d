/**
 * Preload for full auto-instrumentation (http, pg, ioredis, amqplib patched before they load):
 * `node --import ./dist/libs/platform/observability/otel-register.js dist/src/main.js`.
 * Does nothing without OTEL_EXPORTER_OTLP_ENDPOINT.
 */
import { loadConfig } from '../config/load-config.js';
import { startTracing, tracingServiceName } from './tracing.js';

// An entry point like main.ts: the environment goes straight to the validated config.
const config = loadConfig(process.env, []);
await startTracing({
  endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
  serviceName: tracingServiceName({
    SERVICE_NAME: config.SERVICE_NAME,
    CONTEXTS: config.CONTEXTS.join(','),
  }),
});
