import { randomBytes } from 'node:crypto';
import type { Observed } from './fuzz-runner.js';

/**
 * Secrets for a harness app, generated per run (never from the source), so every place they
 * could leak to is known: the environment passed to createTestApp, and the values to look for.
 */
export function harnessSecrets() {
  const vaultKey = randomBytes(32);
  const jwtSecret = `jwt-${randomBytes(24).toString('hex')}`;
  const hmacKey = `hmac-${randomBytes(24).toString('hex')}`;
  const playbackKey = `playback-${randomBytes(24).toString('hex')}`;
  return {
    jwtSecret,
    env: {
      JWT_SECRET: jwtSecret,
      PAYMENTS_VAULT_KEYS: `k1:${vaultKey.toString('base64')}`,
      PAYMENTS_VAULT_HMAC_KEY: hmacKey,
      STREAMING_PLAYBACK_SECRET: playbackKey,
    },
    /** Name → value; a response containing any of them leaks it. */
    values: {
      'JWT secret': jwtSecret,
      'vault key (base64)': vaultKey.toString('base64'),
      'vault key (hex)': vaultKey.toString('hex'),
      'vault key (base64url)': vaultKey.toString('base64url'),
      'card-fingerprint HMAC key': hmacKey,
      'playback-token HMAC key': playbackKey,
    } as Record<string, string>,
  };
}

export interface Secrets {
  /** Substrings no response may contain: passwords, card numbers, keys, refresh tokens. */
  substrings: Record<string, string>;
  /** Values no JSON string in a response may equal (short ones such as CVCs). */
  exactValues: Record<string, string>;
}

/** Keys whose presence in a response body is a leak by itself, whatever their value. */
const SECRET_KEYS =
  /^(password|passwordHash|password_hash|cvc|cvv|pan|cardNumber|refreshTokenHash)$/i;

function* strings(value: unknown, path: string): Generator<[string, string]> {
  if (typeof value === 'string') yield [path, value];
  else if (Array.isArray(value))
    for (const [i, v] of value.entries()) yield* strings(v, `${path}[${i}]`);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (SECRET_KEYS.test(k)) yield [`${path}.${k}`, '\u0000secret-key'];
      yield* strings(v, `${path}.${k}`);
    }
  }
}

/**
 * Every leak in the observed responses: a secret as a substring of a body or of a header, an
 * argon2 hash, a CVC as a JSON value, or a field named like a secret. `allowed` tells which
 * response may carry a value (a refresh token in the login answer that issued it).
 */
export function findLeaks(
  observed: Observed[],
  secrets: Secrets,
  allowed: (o: Observed, name: string, value: string) => boolean = () => false,
): string[] {
  const leaks = new Set<string>();
  const where = (o: Observed) => `${o.operationId} [${o.label}] ${o.status}`;
  for (const o of observed) {
    const headers = JSON.stringify(o.headers);
    for (const [name, value] of Object.entries({
      ...secrets.substrings,
      'an argon2 hash': '$argon2',
    })) {
      if ((o.body.includes(value) || headers.includes(value)) && !allowed(o, name, value))
        leaks.add(`${where(o)}: contains ${name}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(o.body);
    } catch {
      continue;
    }
    for (const [path, value] of strings(json, 'body')) {
      if (value === '\u0000secret-key') leaks.add(`${where(o)}: has a field ${path}`);
      // `errors[].field` names a field (`items.7391`), never a value: an index is not a CVC.
      if (path.endsWith('.field')) continue;
      for (const [name, secret] of Object.entries(secrets.exactValues))
        if (value === secret) leaks.add(`${where(o)}: ${path} is ${name}`);
    }
  }
  return [...leaks];
}
