import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

/** A code is valid this long, for this many wrong guesses; at most this many codes an hour. */
export const CODE_TTL_MINUTES = 10;
export const MAX_ATTEMPTS = 5;
export const MAX_SENDS_PER_HOUR = 5;

export const newCode = () => randomInt(0, 1_000_000).toString().padStart(6, '0');

/** Bound to the user, channel and address, so a code only ever verifies what it was sent to. */
export const hashCode = (userId: string, channel: string, contact: string, code: string) =>
  createHash('sha256').update(`${userId}\n${channel}\n${contact}\n${code}`).digest('hex');

export function codeMatches(expectedHash: string, actualHash: string): boolean {
  const a = Buffer.from(expectedHash);
  const b = Buffer.from(actualHash);
  return a.length === b.length && timingSafeEqual(a, b);
}
