import { pino, type Logger } from 'pino';
import { currentContext } from '../http/request-context.js';
import type { AppConfig } from '../config/app-config.js';
import pretty from 'pino-pretty';
import { redactQueryText, redactUrl } from './redact.js';
import { activeSpanIds } from './tracing.js';

/**
 * Paths pino replaces with "[redacted]". Covers headers, and any field whose name says it holds
 * a secret, anywhere up to three levels deep (bodies are not logged, but errors and events can be).
 */
const SECRET_FIELDS = [
  'password',
  'newPassword',
  'currentPassword',
  'passwordHash',
  'token',
  'accessToken',
  'refreshToken',
  'secret',
  'apiKey',
  'cardNumber',
  'number',
  'pan',
  'cvc',
  'cvv',
  'authorization',
];
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
  ...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]),
];

/**
 * The app's root logger: JSON lines with request id, correlation id, tenant and trace ids on
 * every line logged during a request (through `mixin`, from the request context), secrets
 * redacted. No per-request child loggers: the request context carries the ids, and
 * configureHttp's `onResponse` hook writes the completion line (`logRequest`).
 */
export function createRootLogger(config: AppConfig, stream?: NodeJS.WritableStream): Logger {
  const options = {
    level: config.LOG_LEVEL,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    mixin: () => {
      const ids = activeSpanIds(); // trace_id, span_id (tracing on and a span active)
      const store = currentContext();
      if (!store) return ids ?? {};
      const context: Record<string, unknown> = { correlationId: store.correlationId };
      if (store.requestId) context.reqId = store.requestId;
      if (store.tenantId) context.tenantId = store.tenantId;
      return ids ? Object.assign(context, ids) : context;
    },
    serializers: {
      // Database errors carry the failed query's parameters (hashes, emails, payloads): keep
      // only what identifies the failure.
      err: (err: Record<string, unknown>) =>
        err && typeof err === 'object'
          ? {
              type: err.name ?? err.constructor?.name,
              message: redactQueryText(String(err.message ?? '')),
              code: err.code,
              stack: err.stack,
            }
          : err,
      req: (req: { id: string; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        url: redactUrl(req.url),
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
  const destination = stream ?? prettyStream(config);
  return destination ? pino(options, destination) : pino(options);
}

/**
 * LOG_FORMAT=pretty: human-readable lines for a person at a terminal (pino-pretty, in the main
 * thread). Development only: production logs are always JSON.
 */
function prettyStream(config: AppConfig): NodeJS.WritableStream | undefined {
  if (config.LOG_FORMAT !== 'pretty' || config.isProduction) return undefined;
  return pretty({ colorize: process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss.l' });
}
