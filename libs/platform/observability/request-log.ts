import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { ContextStore } from '../http/request-context.js';
import { redactUrl } from './redact.js';

/** Probes and scrapes would be most of the log: not logged. */
const UNLOGGED = new Set(['/health/live', '/health/ready', '/metrics']);

/**
 * The one line a request leaves when it is answered, in the shape pino-http gives it (`req`, `res`,
 * `responseTime`, "request completed", or "request errored" at error level for a 5xx), plus who
 * made it and its correlation id. Written from the `onResponse` hook; nothing is built when
 * the level is off.
 */
export function logRequest(
  logger: Logger,
  request: FastifyRequest,
  reply: FastifyReply,
  store: ContextStore | undefined,
): void {
  if (UNLOGGED.has(request.url)) return;
  const failed = reply.statusCode >= 500;
  if (!logger.isLevelEnabled(failed ? 'error' : 'info')) return;
  const line: Record<string, unknown> = {
    req: { id: request.id, method: request.method, url: redactUrl(request.url) },
    res: { statusCode: reply.statusCode },
    responseTime: Math.round(reply.elapsedTime),
  };
  if (store) {
    line.correlationId = store.correlationId;
    if (store.userId) line.userId = store.userId;
    if (store.tenantId) line.tenantId = store.tenantId;
  }
  if (failed) logger.error(line, 'request errored');
  else logger.info(line, 'request completed');
}
