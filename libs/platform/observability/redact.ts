/** Error text safe to export (logs, spans): values pg quotes are cut out. */
export function redactQueryText(message: string): string {
  // pg messages can quote values ("Key (email)=(a@b.c) already exists").
  return message.replace(/=\(.*?\)/g, '=(…)');
}

/**
 * A signed-URL token in a path segment (`v1.<expiry>.<HMAC, base64url>`, the streaming
 * context's playback tokens): a bearer capability until it expires, so never logged.
 */
const SIGNED_SEGMENT = /\/v\d+\.[0-9a-z]+\.[A-Za-z0-9_-]{20,}(?=\/|$)/g;

/** The URL as logged or echoed in a problem's `instance`: no query string (tokens, emails), no signed path segment. */
export function redactUrl(url: string | undefined): string | undefined {
  return url?.split('?')[0]!.replace(SIGNED_SEGMENT, '/[signed]');
}
