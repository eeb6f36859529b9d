/** Socket-level codes of a Redis that cannot be reached (refused, reset, unresolvable). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);

/** ioredis's own words for a command that could not be sent or got no answer in time. */
const CLIENT_MESSAGES =
  /^(Command timed out|Connection is closed\.|Stream isn't writeable|Socket timeout\.|Reached the max retries per request limit)/;

/** Redis answers that mean "not now" (loading, busy script, replica, out of memory), not "no". */
const UNAVAILABLE_REPLIES = /^(LOADING|BUSY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|READONLY|OOM) /;

/**
 * Redis is gone or not answering, as opposed to refusing a command for its input: ioredis timed
 * the command out (`commandTimeout`), gave up after its reconnect retries, or the socket failed;
 * or Redis answered that it cannot serve now. HTTP answers these 503 `platform.unavailable`
 * (retry), never 500. Looks one `cause` deep, for errors wrapped by a library.
 */
export function isRedisUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown };
  const message = typeof e.message === 'string' ? e.message : '';
  if (e.name === 'MaxRetriesPerRequestError' || CLIENT_MESSAGES.test(message)) return true;
  if (e.name === 'ReplyError' && UNAVAILABLE_REPLIES.test(message)) return true;
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
  return depth < 1 && e.cause !== undefined && isRedisUnavailable(e.cause, depth + 1);
}
