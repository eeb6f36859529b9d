import { getSchemaPath, type OpenAPIObject } from '@nestjs/swagger';
import { ProblemDoc } from './problem.dto.js';

type Json = Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
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
      const secured = Array.isArray(operation.security) && operation.security.length > 0;
      if (secured) responses['401'] ??= unauthorized;
      if (throttled) responses['429'] ??= tooMany;
      responses['500'] ??= internal;
    }
  }
}

/** Nest documents error bodies as `application/json`; the server answers problem+json. */
function toProblemMediaType(response: Json): void {
  const content = response.content as Record<string, unknown> | undefined;
  if (!content?.['application/json']) return;
  content['application/problem+json'] ??= content['application/json'];
  delete content['application/json'];
}
