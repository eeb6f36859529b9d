import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type PlatformErrorCode } from './app-error.js';
import { PROBLEM_TYPE_PATH } from './error-catalogue.js';
import { isDatabaseUnavailable } from '../database/pg-errors.js';
import { isRedisUnavailable } from '../redis/redis-errors.js';
import { activeSpanIds, tracingEnabled } from '../observability/tracing.js';
import { TRACE_ID } from '../observability/tracing.interceptor.js';
import { redactUrl } from '../observability/redact.js';

/** A problem's `type` resolves on this server to its catalogue entry (`GET /problems/{code}`). */
export const PROBLEM_TYPE_BASE = PROBLEM_TYPE_PATH;

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  traceId?: string;
  [extension: string]: unknown;
}

const STATUS_CODES: Record<number, PlatformErrorCode> = {
  400: 'platform.bad_request',
  401: 'platform.unauthorized',
  403: 'platform.forbidden',
  404: 'platform.not_found',
  408: 'platform.request_timeout',
  409: 'platform.conflict',
  413: 'platform.payload_too_large',
  414: 'platform.uri_too_long',
  415: 'platform.unsupported_media_type',
  429: 'platform.rate_limited',
  431: 'platform.headers_too_large',
};

/**
 * Fastify's own client errors, in our words: their messages may quote the input (the URL, a
 * snippet of the body), and error answers never echo what the client sent.
 */
const FASTIFY_ERRORS: Record<string, { code: PlatformErrorCode; detail: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: {
    code: 'platform.bad_request',
    detail: 'The request body is not valid JSON.',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'platform.bad_request',
    detail: 'The request body is empty but its content type is JSON.',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'platform.bad_request',
    detail: 'The Content-Length header does not match the body.',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: 'platform.payload_too_large',
    detail: 'The request body is larger than 1 MiB.',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'platform.unsupported_media_type',
    detail: 'The request content type is not supported; send application/json.',
  },
  FST_ERR_BAD_URL: {
    code: 'platform.bad_request',
    detail: 'The URL path is not validly percent-encoded.',
  },
  FST_ERR_MAX_PARAM_LENGTH: {
    code: 'platform.uri_too_long',
    detail: 'A path parameter is longer than 100 characters.',
  },
};

/** Framework messages that quote the request (Nest's 404 says `Cannot GET /path?query`). */
const FIXED_DETAILS: Record<number, string> = {
  404: 'Nothing is served at this method and path.',
  429: 'Too many requests; retry later.',
};

function title(status: number): string {
  const name = HttpStatus[status];
  return name
    ? name
        .toLowerCase()
        .replace(/(^|_)(\w)/g, (_, s: string, c: string) => (s ? ' ' : '') + c.toUpperCase())
    : 'Error';
}

/**
 * Maps anything thrown to RFC 9457 problem+json. AppErrors carry their own code and detail;
 * framework HTTP errors get a platform code and a detail of ours (never their message where it
 * may quote the request); everything else is a 500 whose text never leaves the server (it is
 * logged with the trace id instead).
 */
export function toProblem(
  err: unknown,
  instance?: string,
  traceId?: string,
): { problem: Problem; internal: boolean } {
  let status: number;
  let code: string;
  let detail: string;
  let extensions: Record<string, unknown> = {};
  let internal = false;
  const fastifyError = isFastifyClientError(err)
    ? err
    : err instanceof HttpException && isFastifyClientError(err.cause)
      ? err.cause // Nest wraps Fastify's errors in an HttpException with its message
      : undefined;
  if (err instanceof AppError) {
    ({ status, code, detail, extensions } = err);
  } else if (fastifyError) {
    status = fastifyError.statusCode;
    ({ code, detail } = FASTIFY_ERRORS[fastifyError.code] ?? {
      code: STATUS_CODES[status] ?? 'platform.bad_request',
      detail: 'The request could not be processed.',
    });
  } else if (err instanceof HttpException) {
    status = err.getStatus();
    code = STATUS_CODES[status] ?? (status >= 500 ? 'platform.internal' : 'platform.bad_request');
    const response = err.getResponse();
    const message =
      typeof response === 'object' && response && 'message' in response
        ? (response as { message: unknown }).message
        : err.message;
    detail =
      status >= 500
        ? 'An unexpected error occurred.'
        : (FIXED_DETAILS[status] ??
          (Array.isArray(message) ? message.join('; ') : String(message)));
    internal = status >= 500;
  } else if (isDatabaseUnavailable(err)) {
    // PostgreSQL lost or not answering: the client may retry; readiness already says 503.
    status = 503;
    code = 'platform.unavailable';
    detail = 'The database is unreachable or did not answer in time; retry shortly.';
  } else if (isRedisUnavailable(err)) {
    // Redis lost or not answering (ioredis timed the command out or gave up reconnecting).
    status = 503;
    code = 'platform.unavailable';
    detail = 'A backing service is unreachable or did not answer in time; retry shortly.';
  } else {
    status = 500;
    code = 'platform.internal';
    detail = 'An unexpected error occurred.';
    internal = true;
  }
  return {
    problem: {
      type: PROBLEM_TYPE_BASE + code,
      title: title(status),
      status,
      detail,
      code,
      ...(instance ? { instance } : {}),
      ...(traceId ? { traceId } : {}),
      ...extensions,
    },
    internal,
  };
}

function isFastifyClientError(
  err: unknown,
): err is { statusCode: number; code: string; message: string } {
  const e = err as { statusCode?: unknown; code?: unknown };
  return (
    typeof e?.statusCode === 'number' &&
    e.statusCode >= 400 &&
    e.statusCode < 500 &&
    typeof e.code === 'string' &&
    e.code.startsWith('FST_')
  );
}

/**
 * A problem's `instance`: the path that answered, without the query or a signed path segment
 * (either may carry tokens),
 * and left out when absurdly long (it would only echo the client's input back).
 */
export function instanceOf(url: string | undefined): string | undefined {
  const path = redactUrl(url);
  return path && path.length <= 2048 ? path : undefined;
}

export function sendProblem(reply: FastifyReply, problem: Problem): void {
  void reply
    .status(problem.status)
    .header('content-type', 'application/problem+json; charset=utf-8')
    .send(problem);
}

/** With tracing on, the request's real trace id (its handler span's, or the active span's). */
function traceIdOf(request: FastifyRequest & { [TRACE_ID]?: string }): string | undefined {
  if (!tracingEnabled()) return undefined;
  return request[TRACE_ID] ?? activeSpanIds()?.trace_id;
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(err: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw err;
    const ctx = host.switchToHttp();
    const request = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    const { problem, internal } = toProblem(
      err,
      instanceOf(request.url),
      traceIdOf(request) ?? String(request.id ?? ''),
    );
    if (internal) this.logger.error({ err, traceId: problem.traceId }, 'unhandled error');
    // A problem that says when to come back (`retryAfter`, seconds) says it in the header too.
    const retryAfter = err instanceof AppError ? err.extensions.retryAfter : undefined;
    if (typeof retryAfter === 'number' && retryAfter >= 0)
      void reply.header('retry-after', String(Math.ceil(retryAfter)));
    sendProblem(reply, problem);
  }
}
