import { getSchemaPath, type OpenAPIObject } from '@nestjs/swagger';
import { ProblemDoc } from './problem.dto.js';

type Json = Record<string, unknown>;

const METHODS = ['get', 'head', 'put', 'post', 'delete', 'patch'] as const;
/** Routes the rate limiter skips (see PlatformModule's throttler `skipIf`). */
const UNTHROTTLED = /^\/(health|metrics)(\/|$)/;
const PROBLEM = { $ref: getSchemaPath(ProblemDoc) };
const RATE_LIMIT_HEADERS = {
  'X-RateLimit-Limit': { $ref: '#/components/headers/X-RateLimit-Limit' },
  'X-RateLimit-Remaining': { $ref: '#/components/headers/X-RateLimit-Remaining' },
  'X-RateLimit-Reset': { $ref: '#/components/headers/X-RateLimit-Reset' },
};

const problemResponse = (description: string, example: Json, headers?: Json): Json => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/problem+json': { schema: PROBLEM, example } },
});

/**
 * Documents what the platform answers on every route, whatever the context: the rate-limit
 * headers on each response of a throttled route, 429 (with `Retry-After`), 401 on routes that
 * need a token, 500, and `application/problem+json` as the media type of every error. Applied to
 * the generated document once, at boot.
 */
export function documentPlatformResponses(document: OpenAPIObject): void {
  const components = (document.components ??= {}) as Json;
  components.headers = {
    ...(components.headers as Json | undefined),
    'X-RateLimit-Limit': {
      description: 'Requests allowed per window for this client',
      schema: { type: 'integer', format: 'int32', minimum: 1 },
    },
    'X-RateLimit-Remaining': {
      description: 'Requests left in the current window',
      schema: { type: 'integer', format: 'int32', minimum: 0 },
    },
    'X-RateLimit-Reset': {
      description: 'Seconds until the window resets',
      schema: { type: 'integer', format: 'int32', minimum: 0 },
    },
    'Retry-After': {
      description: 'Seconds to wait before retrying',
      schema: { type: 'integer', format: 'int32', minimum: 0 },
    },
  };
  const example = (status: number, code: string, title: string, detail: string) => ({
    type: `/problems/${code}`,
    title,
    status,
    detail,
    code,
    instance: '/v1/…',
    traceId: '0194f3a2-7c1e-7b40-9a8e-3f1c2d4b5a69',
  });
  const tooMany = problemResponse(
    'platform.rate_limited: too many requests; wait `Retry-After` seconds',
    example(429, 'platform.rate_limited', 'Too Many Requests', 'Too many requests; retry later.'),
    { 'Retry-After': { $ref: '#/components/headers/Retry-After' }, ...RATE_LIMIT_HEADERS },
  );
  const unauthorized = problemResponse(
    'platform.unauthorized: no valid access token (log in, then Authorize)',
    example(401, 'platform.unauthorized', 'Unauthorized', 'A valid access token is required.'),
    RATE_LIMIT_HEADERS,
  );
  const internal = problemResponse(
    'platform.internal: an unexpected error (nothing was half-written)',
    example(500, 'platform.internal', 'Internal Server Error', 'An unexpected error occurred.'),
  );

  for (const [path, item] of Object.entries(document.paths)) {
    const throttled = !UNTHROTTLED.test(path);
    for (const method of METHODS) {
      const operation = item[method] as Json | undefined;
      if (!operation) continue;
      const responses = (operation.responses ??= {}) as Record<string, Json>;
      for (const [status, response] of Object.entries(responses)) {
        if (Number(status) >= 400) toProblemMediaType(response);
        if (throttled && response.$ref === undefined) {
          response.headers = { ...RATE_LIMIT_HEADERS, ...(response.headers as Json | undefined) };
        }
      }
      // What the HTTP layer answers before any handler runs (configure-app.ts's body parser and
      // the router): a body too large, not JSON or too complex; a path parameter too long.
      if (operation.requestBody) {
        addProblem(
          responses,
          example(
            413,
            'platform.payload_too_large',
            'Payload Too Large',
            'The body is larger than 1 MiB.',
          ),
        );
        addProblem(
          responses,
          example(
            415,
            'platform.unsupported_media_type',
            'Unsupported Media Type',
            'Send application/json.',
          ),
        );
        addProblem(
          responses,
          example(
            400,
            'platform.body_too_complex',
            'Bad Request',
            'The body has too many keys or is nested too deeply.',
          ),
        );
      }
      if (path.includes('{')) {
        addProblem(
          responses,
          example(
            414,
            'platform.uri_too_long',
            'URI Too Long',
            'A path parameter is longer than 100 characters.',
          ),
        );
      }
      const secured = Array.isArray(operation.security) && operation.security.length > 0;
      if (secured) responses['401'] ??= unauthorized;
      if (throttled) responses['429'] = withRateLimitHeaders(responses['429'], tooMany);
      responses['500'] ??= internal;
    }
  }
}

/**
 * The platform's 429 on every throttled operation; an operation's own 429s (identity's login
 * lockout, payments' vault attempts) keep their examples and gain the platform's example and the
 * `Retry-After` and rate-limit headers every 429 carries.
 */
function withRateLimitHeaders(own: Json | undefined, platform: Json): Json {
  if (!own) return platform;
  const media = (r: Json) =>
    (r.content as Record<string, Json> | undefined)?.['application/problem+json'] ?? {};
  const ownMedia = media(own);
  const platformMedia = media(platform);
  return {
    ...own,
    description: `${String(own.description)} — ${String(platform.description)}`,
    headers: { ...(platform.headers as Json), ...(own.headers as Json | undefined) },
    content: {
      'application/problem+json': {
        ...ownMedia,
        examples: {
          ...(ownMedia.examples as Json | undefined),
          'platform.rate_limited': { summary: 'Too many requests', value: platformMedia.example },
        },
      },
    },
  };
}

/** Adds a named problem example to the operation's response for its status (creating it). */
function addProblem(responses: Record<string, Json>, value: Json): void {
  const status = String(value.status);
  const code = String(value.code);
  const response = (responses[status] ??= {
    description: `\`${code}\``,
    content: { 'application/problem+json': { schema: PROBLEM, examples: {} } },
  });
  const content = ((response.content as Record<string, Json> | undefined) ??= {});
  const media = (content['application/problem+json'] ??= { schema: PROBLEM });
  const examples = (media.examples ??= {}) as Json;
  if (media.example !== undefined) {
    const previous = media.example as Json;
    examples[String(previous.code)] = { summary: String(previous.detail), value: previous };
    delete media.example;
  }
  if (examples[code]) return;
  examples[code] = { summary: String(value.detail), value };
  if (!String(response.description).includes(code)) {
    response.description = `${String(response.description)} — \`${code}\``;
  }
}

/** Nest documents error bodies as `application/json`; the server answers problem+json. */
function toProblemMediaType(response: Json): void {
  const content = response.content as Record<string, unknown> | undefined;
  if (!content?.['application/json']) return;
  content['application/problem+json'] ??= content['application/json'];
  delete content['application/json'];
}
