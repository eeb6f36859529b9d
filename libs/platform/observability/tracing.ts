import {
  context,
  ROOT_CONTEXT,
  type Attributes,
  type Context,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
} from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { redactQueryText } from './redact.js';

/**
 * OpenTelemetry, off unless started: with no OTEL_EXPORTER_OTLP_ENDPOINT nothing is loaded,
 * no SDK runs, and every helper below returns at its first line (`tracingEnabled()` is one
 * property read), so the hot paths do no per-event work.
 */
const state: { enabled: boolean; flush?: () => Promise<void>; handle?: TracingHandle } = {
  enabled: false,
};

/** True once `startTracing` registered a tracer provider. */
export function tracingEnabled(): boolean {
  return state.enabled;
}

export interface TracingOptions {
  /** `service.name` of the spans (AppConfig.serviceName or SERVICE_NAME). */
  serviceName: string;
  /** OTLP/HTTP base URL (`http://jaeger:4318`); spans go to `<endpoint>/v1/traces`. */
  endpoint?: string;
  /** Tests: export here (synchronously) instead of OTLP. */
  exporter?: SpanExporter;
  /** Auto-instrument http, pg, ioredis and amqplib (default: true with an endpoint). */
  instrumentations?: boolean;
}

export interface TracingHandle {
  /** Flushes and stops the SDK; tracing is off again afterwards. */
  shutdown(): Promise<void>;
}

/**
 * Starts the SDK when there is somewhere to send spans; otherwise returns undefined and loads
 * nothing. Call it before the application (and the libraries instrumentations patch) is loaded.
 */
export async function startTracing(options: TracingOptions): Promise<TracingHandle | undefined> {
  if (!options.endpoint && !options.exporter) return undefined;
  if (state.handle) return state.handle; // already started (e.g. by the --import preload)
  const [
    { NodeTracerProvider },
    { BatchSpanProcessor, SimpleSpanProcessor },
    { resourceFromAttributes },
  ] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/resources'),
  ]);
  let processor;
  if (options.exporter) {
    processor = new SimpleSpanProcessor(options.exporter);
  } else {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    const url = `${options.endpoint!.replace(/\/+$/, '')}/v1/traces`;
    processor = new BatchSpanProcessor(new OTLPTraceExporter({ url }));
  }
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: [processor],
  });
  provider.register();
  state.flush = () => provider.forceFlush();
  let disable: (() => void) | undefined;
  if (options.instrumentations ?? !options.exporter) disable = await instrument();
  state.enabled = true;
  state.handle = {
    async shutdown() {
      state.enabled = false;
      state.flush = undefined;
      state.handle = undefined;
      disable?.();
      await provider.shutdown();
      trace.disable();
      context.disable();
    },
  };
  return state.handle;
}

/** Exports the spans still buffered (the platform calls it at application shutdown). */
export async function flushTracing(): Promise<void> {
  await state.flush?.();
}

/**
 * `service.name` before the configuration is loaded (tracing starts first): SERVICE_NAME, else
 * the hosted CONTEXTS sorted and joined as AppConfig.serviceName does, else the product's name.
 */
export function tracingServiceName(env: Record<string, string | undefined>): string {
  if (env.SERVICE_NAME) return env.SERVICE_NAME;
  const contexts = (env.CONTEXTS ?? '')
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  return contexts.length ? contexts.sort().join('-') : 'five-businesses';
}

async function instrument(): Promise<() => void> {
  // ESM imports of the instrumented libraries go through import-in-the-middle's loader hook.
  const { register } = await import('node:module');
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  const [{ registerInstrumentations }, http, pg, ioredis, amqplib] = await Promise.all([
    import('@opentelemetry/instrumentation'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-pg'),
    import('@opentelemetry/instrumentation-ioredis'),
    import('@opentelemetry/instrumentation-amqplib'),
  ]);
  return registerInstrumentations({
    instrumentations: [
      new http.HttpInstrumentation({
        ignoreIncomingRequestHook: (req) =>
          req.url === '/metrics' || (req.url ?? '').startsWith('/health'),
      }),
      new pg.PgInstrumentation({ requireParentSpan: true }),
      new ioredis.IORedisInstrumentation({ requireParentSpan: true }),
      new amqplib.AmqplibInstrumentation(),
    ],
  });
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The active span as a W3C `traceparent`, or undefined (tracing off or no span). */
export function currentTraceparent(): string | undefined {
  if (!state.enabled) return undefined;
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const { traceId, spanId, traceFlags } = span.spanContext();
  return `00-${traceId}-${spanId}-${(traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** A context whose parent is `traceparent` (a new trace when it is missing or malformed). */
export function contextFromTraceparent(traceparent: string | undefined): Context {
  const m = traceparent ? TRACEPARENT.exec(traceparent) : null;
  if (!m) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: m[1]!,
    spanId: m[2]!,
    traceFlags: parseInt(m[3]!, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  });
}

/** Trace and span ids of the active span, for log lines (undefined when tracing is off). */
export function activeSpanIds(): { trace_id: string; span_id: string } | undefined {
  if (!state.enabled) return undefined;
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/**
 * Runs `fn` in a new span (child of `parent`, or of the active context), ending it when `fn`
 * settles and recording a throw. With tracing off it just runs `fn`.
 */
export function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes; parent?: Context },
  fn: (span?: Span) => Promise<T>,
): Promise<T> {
  if (!state.enabled) return fn();
  const tracer = trace.getTracer('five-businesses');
  return tracer.startActiveSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes },
    options.parent ?? context.active(),
    async (span) => {
      try {
        return await fn(span);
      } catch (err) {
        // Only the error's type and redacted text: pg errors quote values (emails, payloads).
        const message = redactQueryText(String((err as Error)?.message ?? err));
        span.recordException({ name: (err as Error)?.name ?? 'Error', message });
        span.setStatus({ code: SpanStatusCode.ERROR, message });
        throw err;
      } finally {
        span.end();
      }
    },
  );
}

/**
 * Runs `fn` as a child of the job's `traceparent` (as a CONSUMER span `job <queue> <kind>`) — or of
 * BullMQ's own `process <queue>` span when its telemetry already continues that trace.
 */
export function inJobSpan<T>(
  queue: string,
  data: { kind: string; traceparent?: string },
  fn: () => Promise<T>,
): Promise<T> {
  if (!state.enabled) return fn();
  const active = trace.getActiveSpan()?.spanContext().traceId;
  const sameTrace = active !== undefined && data.traceparent?.slice(3, 35) === active;
  return inSpan(
    `job ${queue} ${data.kind}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: { 'messaging.system': 'bullmq', 'messaging.destination.name': queue },
      parent: sameTrace ? context.active() : contextFromTraceparent(data.traceparent),
    },
    () => fn(),
  );
}

/** A CONSUMER span `consume <type> <consumer>`, child of the span that published the event. */
export function inConsumerSpan<T>(
  type: string,
  consumer: string,
  meta: { id: string; traceparent?: string },
  fn: () => Promise<T>,
): Promise<T> {
  return inSpan(
    `consume ${type} ${consumer}`,
    {
      kind: SpanKind.CONSUMER,
      parent: contextFromTraceparent(meta.traceparent),
      attributes: {
        'messaging.system': 'outbox',
        'messaging.message.id': meta.id,
        'messaging.destination.name': type,
        'messaging.consumer.group.name': consumer,
      },
    },
    () => fn(),
  );
}

export { SpanKind };
