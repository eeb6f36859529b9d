import type { PlatformErrorCode } from './app-error.js';

/** What a client needs to know about one problem code. */
export interface ErrorSpec {
  /** The HTTP status it is answered with. */
  status: number;
  /** What it means, in one sentence. */
  meaning: string;
  /** What a client should do about it. */
  action: string;
}

export type ErrorCatalogue<C extends string = string> = Readonly<Record<C, ErrorSpec>>;

/** Where a problem's `type` points: served by this server (`GET /problems/{code}`). */
export const PROBLEM_TYPE_PATH = '/problems/';

/** What every problem code looks like: `<context>.<snake_case>`, e.g. `platform.rate_limited`. */
export const PROBLEM_CODE = /^[a-z][a-z0-9-]*\.[a-z0-9_]+$/;

/**
 * A context's problem codes with their status, meaning and advice: the single source of the
 * context's error class, the catalogue served at `/problems` and the README's table.
 */
export function defineErrors<C extends string>(errors: Record<C, ErrorSpec>): ErrorCatalogue<C> {
  for (const code of Object.keys(errors)) {
    if (!PROBLEM_CODE.test(code))
      throw new Error(`Problem code "${code}" must look like <context>.<snake_case>`);
  }
  return errors;
}

/** The platform's own codes (validation, auth, rate limits, idempotency, …). */
export const PLATFORM_ERRORS = defineErrors<PlatformErrorCode>({
  'platform.validation_failed': {
    status: 400,
    meaning:
      'The body, query or path failed validation; `errors` lists the fields and why (the first 20; `errorsOmitted` counts the rest).',
    action: 'Fix the fields named in `errors` and send again.',
  },
  'platform.bad_request': {
    status: 400,
    meaning: 'The request could not be read (malformed JSON, a bad cursor, …).',
    action: 'Fix the request; do not retry it unchanged.',
  },
  'platform.unauthorized': {
    status: 401,
    meaning: 'No valid access token: missing, expired, or not one this server issued.',
    action: 'Log in (or refresh the session) and send `Authorization: Bearer <accessToken>`.',
  },
  'platform.session_revoked': {
    status: 401,
    meaning: 'The session of this access token has ended (logout, or a reused refresh token).',
    action: 'Log in again; refreshing will not help, the session is gone.',
  },
  'platform.unavailable': {
    status: 503,
    meaning:
      'A service the server depends on (PostgreSQL, or Redis for sessions) is unreachable now.',
    action: 'Retry shortly, with backoff.',
  },
  'platform.forbidden': {
    status: 403,
    meaning: 'The token is valid but lacks the role this route needs.',
    action: 'Use an account with the role; retrying will not help.',
  },
  'platform.not_found': {
    status: 404,
    meaning: 'No such route or resource.',
    action: 'Check the URL and the id.',
  },
  'platform.conflict': {
    status: 409,
    meaning: 'The request conflicts with the current state of the resource.',
    action: 'Re-read the resource and decide again.',
  },
  'platform.payload_too_large': {
    status: 413,
    meaning: 'The body is larger than the server accepts (1 MiB).',
    action: 'Send a smaller body.',
  },
  'platform.unsupported_media_type': {
    status: 415,
    meaning: 'The body is not `application/json`.',
    action: 'Send JSON with `Content-Type: application/json`.',
  },
  'platform.body_too_complex': {
    status: 400,
    meaning:
      'The JSON body has more than 1000 keys and array items, or is nested deeper than 32 levels.',
    action: 'Send only the fields the operation documents.',
  },
  'platform.uri_too_long': {
    status: 414,
    meaning: 'The URL is longer than 8192 characters, or a path parameter longer than 100.',
    action: 'Check the path parameters; send long input in a body instead.',
  },
  'platform.headers_too_large': {
    status: 431,
    meaning: 'The request line and headers together exceed 16 KiB.',
    action: 'Send fewer or smaller headers (cookies, tokens).',
  },
  'platform.request_timeout': {
    status: 408,
    meaning: 'The request (headers and body) did not arrive in time; the connection is closed.',
    action: 'Send the whole request promptly, on a new connection.',
  },
  'platform.rate_limited': {
    status: 429,
    meaning: 'Too many requests from this client in the current window.',
    action: 'Wait for `Retry-After` seconds, then retry.',
  },
  'platform.tenant_required': {
    status: 400,
    meaning: 'This route works on one tenant and the request named none.',
    action:
      'Switch into a tenant (`POST /v1/saas/tenants/{id}/switch`) and use its token, or send `X-Tenant-ID`.',
  },
  'platform.tenant_not_found': {
    status: 404,
    meaning: 'No such tenant, or you are not one of its members (the two answer alike).',
    action: 'Check the tenant id or subdomain; `GET /v1/saas/tenants` lists yours.',
  },
  'platform.tenant_mismatch': {
    status: 403,
    meaning:
      'The `X-Tenant-ID` header or the subdomain names another tenant than the access token does.',
    action: 'Drop the header, or switch tenants and use the new token.',
  },
  'platform.tenant_suspended': {
    status: 403,
    meaning: 'The tenant is suspended (by an administrator, or for an unpaid invoice).',
    action: 'The tenant’s owner settles the invoice or contacts the platform’s administrators.',
  },
  'platform.tenant_rate_limited': {
    status: 429,
    meaning:
      'The tenant used its plan’s requests per minute on this route; `limit` and `plan` say which.',
    action: 'Wait `Retry-After` seconds, or move to a bigger plan.',
  },
  'platform.tenant_quota_exceeded': {
    status: 429,
    meaning:
      'The tenant used its plan’s API calls for this month; `limit` and `used` say how many.',
    action: 'Upgrade the plan, or wait for the next month (UTC).',
  },
  'platform.idempotency_key_missing': {
    status: 400,
    meaning: 'This route needs an `Idempotency-Key` header.',
    action: 'Send a fresh UUID as `Idempotency-Key`; reuse it only to retry the same request.',
  },
  'platform.idempotency_key_invalid': {
    status: 400,
    meaning: 'The `Idempotency-Key` header is empty, too long or sent more than once.',
    action: 'Send one key of 1–255 visible characters (a UUID is ideal).',
  },
  'platform.idempotency_key_reused': {
    status: 422,
    meaning: 'The key was already used for a different request on this route.',
    action: 'Use a new key for a new request.',
  },
  'platform.idempotency_in_flight': {
    status: 409,
    meaning: 'The first request with this key is still being processed.',
    action: 'Retry after `Retry-After` seconds; you will get its stored answer.',
  },
  'platform.internal': {
    status: 500,
    meaning: 'An unexpected error; nothing was half-written (the work rolled back).',
    action: 'Retry later with the same `Idempotency-Key`; report the `traceId` if it persists.',
  },
});
