import type { LoggerService } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { AppLogger } from '../observability/app-logger.js';
import { AppConfig } from '../config/app-config.js';
import { Metrics } from '../observability/metrics.js';
import { logRequest } from '../observability/request-log.js';
import { enterContext, type ContextStore } from './request-context.js';
import { documentValidationConstraints, prefixOperationIds } from './openapi-conventions.js';
import { documentPlatformResponses } from './openapi-responses.js';
import { IDEMPOTENCY_KEY_EXAMPLE } from './idempotency.interceptor.js';
import { PlatformError } from './app-error.js';
import { SECURITY_HEADERS } from './http-server.js';
import { checkJsonShape, ValidationFailed } from './validation.js';
import { registerMultipart } from './multipart.js';
import { ENCODED_NUL, jsonTextProblems } from './text-hygiene.js';

const CORS_EXPOSED = ['x-request-id', 'idempotent-replayed', 'retry-after'];
/** A caller's `X-Correlation-ID` is kept when it is this plain; else the request id stands in. */
const CORRELATION_ID = /^[\w.:-]{1,128}$/;
/** Each request's context, for the hooks that run outside its async context (onResponse). */
const contexts = new WeakMap<FastifyRequest, ContextStore>();

export interface ApiTag {
  name: string;
  description: string;
}

/**
 * HTTP concerns that live on the Fastify instance rather than in Nest's pipeline: security
 * headers, CORS, latency metrics, problem+json for errors raised before routing, and the
 * OpenAPI document + Swagger UI at /docs.
 */
export async function configureHttp(
  app: NestFastifyApplication,
  tags: ApiTag[],
): Promise<OpenAPIObject> {
  const config = app.get(AppConfig);
  const metrics = app.get(Metrics);
  const logger = app.get(AppLogger);
  app.useLogger(quietBootstrap(logger));
  app.enableShutdownHooks();

  const fastify = app.getHttpAdapter().getInstance();
  // The request's context (ids, then the user and tenant its guards find), entered here and
  // re-entered after the body is read: Fastify parses it in the socket's async context, which
  // predates the request's.
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(SECURITY_HEADERS).header('x-request-id', request.id);
    const requestId = String(request.id);
    const header = request.headers['x-correlation-id'];
    const store: ContextStore = {
      requestId,
      correlationId: typeof header === 'string' && CORRELATION_ID.test(header) ? header : requestId,
      causationId: requestId,
    };
    contexts.set(request, store);
    if (ENCODED_NUL.test(request.url)) {
      return done(
        new PlatformError('platform.bad_request', 400, 'The URL contains a NUL character.'),
      );
    }
    if (request.url.length > MAX_URL_LENGTH) {
      return done(
        new PlatformError(
          'platform.uri_too_long',
          414,
          `The URL is longer than ${MAX_URL_LENGTH} characters.`,
        ),
      );
    }
    enterContext(store, done);
  });
  fastify.addHook('preValidation', (request, _reply, done) => {
    const store = contexts.get(request);
    if (store) enterContext(store, done);
    else done();
  });
  // JSON is the body this API reads, multipart only on upload routes (createApp turns Nest's
  // parsers off, so there is no form parser: a JSON text sent as a form came back as a key in
  // the 400). The body's shape is bounded on its text, then Fastify's own JSON parser
  // (prototype-poisoning checks included).
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const tooComplex = checkJsonShape(body as string);
    if (tooComplex) return done(tooComplex, undefined);
    parseJson(request, body as string, (err, value) => {
      const refused = err ? [] : jsonTextProblems(value);
      if (refused.length > 0) return done(new ValidationFailed(refused), undefined);
      done(err, value);
    });
  });
  // multipart/form-data too, for the routes marked `@MultipartUpload()` only.
  await registerMultipart(fastify);
  if (config.CORS_ORIGINS.length > 0) {
    // Decided per request: an origin that is not listed gets no CORS header at all (with a
    // static list, @fastify/cors still sent `Access-Control-Expose-Headers` to anyone).
    const anyOrigin = config.CORS_ORIGINS.includes('*');
    const listed = new Set(config.CORS_ORIGINS);
    app.enableCors({
      delegator: (request, cb) => {
        const origin = request.headers.origin;
        const allowed = anyOrigin || (typeof origin === 'string' && listed.has(origin));
        cb(null, allowed ? { origin: true, exposedHeaders: CORS_EXPOSED } : { origin: false });
      },
    });
  }

  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions?.url ?? 'unmatched';
    metrics.httpDuration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    logRequest(logger.root, request, reply, contexts.get(request));
    done();
  });
  // Errors Fastify raises before routing (malformed JSON, body too large) reach Nest's
  // exception layer, hence ProblemFilter, through the error handler Nest installs; the router's
  // and the HTTP parser's own errors are answered by `httpServerOptions`' handlers.

  const builder = new DocumentBuilder()
    .setTitle('Five businesses, one server')
    .setDescription(
      'E-commerce, social, payments, streaming and B2B SaaS back ends as bounded contexts of one NestJS ' +
        'modular monolith. Errors are RFC 9457 problem+json with a stable `code`. Use **Authorize** with an ' +
        'access token from `POST /v1/identity/login`.',
    )
    .setVersion('1')
    .addServer('/', 'This server (local, staging or production: wherever it runs)', undefined, {
      'x-internal': false,
    })
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description:
        'A short-lived access token from `POST /v1/identity/login`. Tokens follow RFC8725: ' +
        'HS256 only (`alg: none` and other algorithms are refused), issuer, audience and expiry ' +
        'always checked.',
    });
  for (const tag of tags) builder.addTag(tag.name, tag.description);
  documentValidationConstraints();
  const document = SwaggerModule.createDocument(app, builder.build(), {
    operationIdFactory: (_controller, method) => method,
  });
  prefixOperationIds(document);
  markPublicOperations(document);
  documentPlatformResponses(document);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs/openapi.json',
    yamlDocumentUrl: 'docs/openapi.yaml',
    swaggerOptions: {
      persistAuthorization: true,
      tryItOutEnabled: true,
      filter: true,
      displayRequestDuration: true,
      requestInterceptor: freshIdempotencyKeys(),
    },
  });
  return document;
}

/**
 * `security: []` on every operation that documents no security requirement: guarded routes
 * carry `@Authenticated()` (bearer), so the rest are the `@Public()` ones, and Swagger UI and
 * generated clients then know not to send a token.
 */
function markPublicOperations(document: OpenAPIObject): void {
  const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
  for (const item of Object.values(document.paths)) {
    for (const method of methods) {
      const operation = item[method];
      if (operation && operation.security === undefined) operation.security = [];
    }
  }
}

/** Longer URLs are refused (414) before routing; Node refuses a start line and headers over 16 KiB. */
const MAX_URL_LENGTH = 8192;

/**
 * Swagger UI pre-fills every `Idempotency-Key` with the document's example; sent as is, a second
 * "Execute" (a second order, another top-up) would replay the first answer. This request
 * interceptor, run in the browser, swaps that example for a fresh UUID on every request — a key
 * the user typed is sent untouched. Built from source text because Swagger UI receives it
 * serialised (the example value is a literal in it).
 */
function freshIdempotencyKeys(): (request: unknown) => unknown {
  const body = `
    var headers = request.headers || {};
    Object.keys(headers).forEach(function (name) {
      if (name.toLowerCase() !== 'idempotency-key' || headers[name] !== ${JSON.stringify(IDEMPOTENCY_KEY_EXAMPLE)}) return;
      var c = window.crypto;
      headers[name] = c.randomUUID ? c.randomUUID() : ([1e7] + -1e3 + -4e3 + -8e3 + -1e11).replace(/[018]/g,
        function (d) { return (d ^ (c.getRandomValues(new Uint8Array(1))[0] & (15 >> (d / 4)))).toString(16); });
    });
    return request;`;
  // oxlint-disable-next-line no-new-func -- serialised into Swagger UI's page, see above
  return new Function('request', body) as (request: unknown) => unknown;
}

/** Nest's own start-up chatter: a line per module and per route (≈90 lines for this app). */
const BOOTSTRAP_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
  'GraphQLModule',
]);

/**
 * The app's logger, with Nest's per-module and per-route start-up lines moved from info to
 * debug: a start says one human line (main.ts's "listening on …") and the demo data line, and
 * `LOG_LEVEL=debug` still shows the route table.
 */
function quietBootstrap(logger: LoggerService): LoggerService {
  return {
    log: (message: unknown, ...rest: unknown[]) => {
      const context = rest.at(-1);
      if (typeof context === 'string' && BOOTSTRAP_CONTEXTS.has(context)) {
        logger.debug?.(message, ...rest);
      } else {
        logger.log(message, ...rest);
      }
    },
    error: (message: unknown, ...rest: unknown[]) => logger.error(message, ...rest),
    warn: (message: unknown, ...rest: unknown[]) => logger.warn(message, ...rest),
    debug: (message: unknown, ...rest: unknown[]) => logger.debug?.(message, ...rest),
    verbose: (message: unknown, ...rest: unknown[]) => logger.verbose?.(message, ...rest),
    fatal: (message: unknown, ...rest: unknown[]) => logger.fatal?.(message, ...rest),
  };
}
