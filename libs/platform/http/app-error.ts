/**
 * Base of every error a client is meant to see. Each context declares its own subclass with a
 * union of stable codes (`commerce.out_of_stock`); the problem filter maps them all in one place.
 * Throw these for outcomes the client must act on; return values for expected business results.
 */
export class AppError extends Error {
  constructor(
    /** Stable machine-readable code, `<context>.<snake_case>`. */
    readonly code: string,
    /** HTTP status. */
    readonly status: number,
    /** Human-readable explanation, safe to show to the client. */
    readonly detail: string,
    /** Extra problem members (e.g. `errors`, `retryAfter`). */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = new.target.name;
  }
}

export type PlatformErrorCode =
  | 'platform.validation_failed'
  | 'platform.bad_request'
  | 'platform.unauthorized'
  | 'platform.session_revoked'
  | 'platform.unavailable'
  | 'platform.forbidden'
  | 'platform.not_found'
  | 'platform.conflict'
  | 'platform.payload_too_large'
  | 'platform.unsupported_media_type'
  | 'platform.body_too_complex'
  | 'platform.uri_too_long'
  | 'platform.headers_too_large'
  | 'platform.request_timeout'
  | 'platform.rate_limited'
  | 'platform.tenant_required'
  | 'platform.tenant_not_found'
  | 'platform.tenant_mismatch'
  | 'platform.tenant_suspended'
  | 'platform.tenant_rate_limited'
  | 'platform.tenant_quota_exceeded'
  | 'platform.idempotency_key_missing'
  | 'platform.idempotency_key_invalid'
  | 'platform.idempotency_key_reused'
  | 'platform.idempotency_in_flight'
  | 'platform.internal';

export class PlatformError extends AppError {
  constructor(
    code: PlatformErrorCode,
    status: number,
    detail: string,
    extensions?: Record<string, unknown>,
  ) {
    super(code, status, detail, extensions);
  }
}

export interface FieldError {
  /** Dotted path of the offending field, e.g. `lines.0.quantity`. */
  field: string;
  messages: string[];
}
