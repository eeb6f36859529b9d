import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ClsServiceManager } from 'nestjs-cls';
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

/** nestjs-pino options: JSON logs with request id, correlation id and user id on every line. */
export function loggingOptions(config: AppConfig, stream?: NodeJS.WritableStream): Params {
  return {
    // Explicit: the package's default `{/*splat}` never matches under the Fastify adapter here.
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
    pinoHttp: [
      {
        level: config.LOG_LEVEL,
        redact: { paths: REDACT_PATHS, censor: '[redacted]' },
        genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id: string }).id,
        // pino-http asks twice: when the request starts (no user known yet; any object, even
        // an empty one, costs a child logger per request) and when it finishes.
        customProps: (_req: IncomingMessage, res: ServerResponse) => {
          if (!res.writableEnded) return undefined;
          const cls = ClsServiceManager.getClsService();
          const userId = cls.isActive() ? cls.get('userId') : undefined;
          return userId ? { userId } : {};
        },
        mixin: () => {
          const ids = activeSpanIds(); // trace_id, span_id (tracing on and a span active)
          const cls = ClsServiceManager.getClsService();
          const correlationId = cls.isActive() ? cls.get('correlationId') : undefined;
          const tenantId = cls.isActive() ? cls.get('tenantId') : undefined;
          const context = tenantId
            ? { correlationId, tenantId }
            : correlationId
              ? { correlationId }
              : undefined;
          if (!ids) return context ?? {};
          return context ? { ...context, ...ids } : ids;
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
        // Probes and scrapes would be most of the log: not logged unless they fail elsewhere.
        autoLogging: {
          ignore: (req: IncomingMessage) =>
            req.url === '/health/live' || req.url === '/health/ready' || req.url === '/metrics',
        },
      },
      ...(stream ? [stream] : prettyStream(config)),
    ] as Params['pinoHttp'],
  };
}

/**
 * LOG_FORMAT=pretty: human-readable lines for a person at a terminal (pino-pretty, in the main
 * thread). Development only: production logs are always JSON.
 */
function prettyStream(config: AppConfig): NodeJS.WritableStream[] {
  if (config.LOG_FORMAT !== 'pretty' || config.isProduction) return [];
  return [pretty({ colorize: process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss.l' })];
}
