/** PostgreSQL SQLSTATEs the platform treats specially. */
export const PG = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
} as const;

export function pgCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; driverError?: { code?: unknown } };
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Serialization failures and deadlocks are retried, never reported as business errors. */
export function isRetryableTxError(err: unknown): boolean {
  const code = pgCode(err);
  return code === PG.serializationFailure || code === PG.deadlockDetected;
}

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  if (pgCode(err) !== PG.uniqueViolation) return false;
  if (!constraint) return true;
  const e = err as { constraint?: string; driverError?: { constraint?: string } };
  return (e.driverError?.constraint ?? e.constraint) === constraint;
}

/** Socket-level codes of a PostgreSQL that cannot be reached (refused, reset, unresolvable). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);

/**
 * PostgreSQL is gone or not answering, as opposed to refusing a statement: the server shut down
 * or restarted (57P01/57P02/57P03), a connection exception (08xxx), a statement cut off by
 * `statement_timeout` (57014), a socket error, or node-postgres's own words for a lost or
 * timed-out connection or a query it gave up on (`query_timeout`). HTTP answers these 503
 * `platform.unavailable` (retry), never 500.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const code = pgCode(err);
  if (code && (/^57P0[123]$/.test(code) || code.startsWith('08') || code === '57014')) return true;
  if (code && NETWORK_CODES.has(code)) return true;
  const e = err as { message?: unknown; driverError?: { message?: unknown } };
  const message = String(e?.driverError?.message ?? e?.message ?? '');
  return /^Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|^Query read timeout/.test(
    message,
  );
}
