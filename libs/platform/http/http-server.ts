import helmet from 'helmet';
import type { FastifyHttpOptions } from 'fastify';
import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { getRandomValues } from 'node:crypto';
import type { Socket } from 'node:net';
import { v7 as uuidv7 } from 'uuid';
import type { AppConfig } from '../config/app-config.js';
import { PlatformError } from './app-error.js';
import { instanceOf, sendProblem, toProblem } from './problem.filter.js';

/** The HTTP settings `httpServerOptions` reads: the timeouts and the trusted proxies. */
type HttpServerConfig = Pick<
  AppConfig,
  | 'TRUST_PROXY'
  | 'HTTP_REQUEST_TIMEOUT_MS'
  | 'HTTP_CONNECTION_TIMEOUT_MS'
  | 'HTTP_KEEP_ALIVE_TIMEOUT_MS'
>;

/**
 * Fastify's server options for the HTTP layer's own limits: body size, timeouts that cut off
 * slow clients, the proxies whose `X-Forwarded-*` are believed, and problem+json (with a
 * catalogue code and no echo of the input) for the errors the router and Node's HTTP parser
 * answer before any hook runs (bad percent-encoding, an over-long path parameter, oversized
 * headers, a request that does not arrive in time, a request that is not HTTP).
 */
export function httpServerOptions(config: HttpServerConfig): FastifyHttpOptions<Server> {
  const requestTimeout = config.HTTP_REQUEST_TIMEOUT_MS;
  const headersTimeout = Math.min(10_000, requestTimeout);
  return {
    bodyLimit: 1_048_576,
    trustProxy: config.TRUST_PROXY,
    // Receiving the request: headers within `headersTimeout`, all of it within
    // `requestTimeout`, else 408 and the connection closes (Node checks every
    // `connectionsCheckingInterval`, 30 s by default: too coarse for these timeouts).
    requestTimeout,
    http: {
      requestTimeout,
      headersTimeout,
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeout / 4))),
    },
    // A socket silent both ways this long is destroyed (Node's `server.timeout`).
    connectionTimeout: config.HTTP_CONNECTION_TIMEOUT_MS,
    keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    frameworkErrors: (err, request, reply) => {
      void reply.headers(SECURITY_HEADERS).header('x-request-id', request.id);
      sendProblem(reply, toProblem(err, instanceOf(request.url), String(request.id)).problem);
    },
    clientErrorHandler: answerClientError,
    genReqId: (req) => {
      const header = req.headers['x-request-id'];
      return typeof header === 'string' && REQUEST_ID.test(header) ? header : requestId();
    },
  };
}

/** A caller's `X-Request-ID` is kept when it is this plain (it goes into logs and headers). */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * A UUID v7 for each request without an id of its own. `uuid` draws its 16 random bytes from
 * the kernel on every call (`getRandomValues`, ~4% of a `GET /health/live` in the P1 profile);
 * here they come from a 4 KiB pool refilled when used up. The bytes are read at once, so the
 * pool is reused in place.
 */
const pool = new Uint8Array(4096);
let drawn = pool.length;
function requestId(): string {
  if (drawn + 16 > pool.length) {
    getRandomValues(pool);
    drawn = 0;
  }
  const random = pool.subarray(drawn, (drawn += 16));
  return uuidv7({ random });
}

const CLIENT_ERRORS: Record<string, PlatformError> = {
  HPE_HEADER_OVERFLOW: new PlatformError(
    'platform.headers_too_large',
    431,
    'The request line and headers are larger than 16 KiB.',
  ),
  ERR_HTTP_REQUEST_TIMEOUT: new PlatformError(
    'platform.request_timeout',
    408,
    'The request did not arrive in time; the connection is closed.',
  ),
};
const NOT_HTTP = new PlatformError('platform.bad_request', 400, 'The request is not valid HTTP.');

/**
 * Node's HTTP parser rejects a request before Fastify sees it (headers over `maxHeaderSize`, a
 * request timeout, bytes that are not HTTP): answered on the socket as problem+json, then the
 * connection is closed, as Fastify's default handler does.
 */
function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const { problem } = toProblem(CLIENT_ERRORS[err.code ?? ''] ?? NOT_HTTP);
    const body = JSON.stringify(problem);
    const headers = {
      ...SECURITY_HEADERS,
      'content-type': 'application/problem+json; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      connection: 'close',
    };
    socket.write(
      `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\n` +
        Object.entries(headers)
          .map(([name, value]) => `${name}: ${value}\r\n`)
          .join('') +
        `\r\n${body}`,
    );
  }
  socket.destroy(err);
}

/**
 * Helmet's security headers for this API (CSP allows Swagger UI's inline styles). They do not
 * depend on the request (no CSP nonces), so helmet runs once at boot and every response gets the
 * same headers: `@fastify/helmet` rebuilt the whole helmet middleware, directives parsed again,
 * on every request — ~10% of a `GET /health/live` (bench P1 profile).
 */
export const SECURITY_HEADERS = staticSecurityHeaders();
function staticSecurityHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string) => void (headers[name.toLowerCase()] = value),
    removeHeader: () => undefined,
  };
  helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        scriptSrc: ["'self'"],
      },
    },
  })({} as IncomingMessage, recorder as unknown as ServerResponse, () => undefined);
  return headers;
}
