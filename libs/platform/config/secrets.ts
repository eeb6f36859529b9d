// Only node:* imports: test/platform/secrets.e2e-spec.ts transpiles this file alone to race it
// across real processes.
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/** Makes a fresh value for a secret, in the shape its variable validates. */
export type SecretGenerator = () => string;

/** A random key for HMAC/HS256 use: 32 bytes, base64url (43 characters). */
export const randomSecret: SecretGenerator = () => randomBytes(32).toString('base64url');

/**
 * A one-key vault keyring, `keyId:base64(32 bytes)`. The id is random too, so a database
 * reached by two installations says "key … is not configured" instead of failing to decrypt.
 */
export const randomKeyring: SecretGenerator = () =>
  `k${randomBytes(4).toString('hex')}:${randomBytes(32).toString('base64')}`;

const secretProperties = new WeakMap<object, Map<string, SecretGenerator>>();

/**
 * Marks a config property as a secret: it has no default in the source. Production must set
 * it; elsewhere `loadConfig` takes it from DATA_DIR's secrets file, generating it there with
 * `generate` the first time (see `obtainSecrets`). Its value is never echoed in an error.
 */
export function Secret(options: { generate: SecretGenerator }): PropertyDecorator {
  return (prototype, property) => {
    const cls = prototype.constructor;
    const own = secretProperties.get(cls) ?? new Map<string, SecretGenerator>();
    own.set(String(property), options.generate);
    secretProperties.set(cls, own);
  };
}

/** A config class's `@Secret` properties and their generators. */
export function secretsOf(cls: object): ReadonlyMap<string, SecretGenerator> {
  return secretProperties.get(cls) ?? new Map();
}

/**
 * `NAME=value` lines, the first complete one per name winning; `#` lines are comments. A line
 * without its newline may still be being written: not yet. One holding a NUL was torn by a
 * writer that died, and closed off by the next (`TORN`): never.
 */
function parse(text: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const line of text.split('\n').slice(0, -1)) {
    const eq = line.indexOf('=');
    if (line.startsWith('#') || eq < 1 || line.includes('\0')) continue;
    const name = line.slice(0, eq);
    if (!found.has(name)) found.set(name, line.slice(eq + 1));
  }
  return found;
}

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

/** Ends an unfinished line so that it never parses (see `parse`). */
const TORN = '\0\n';

const HEADER =
  '# Secrets generated for this installation (development). Never commit or share this file;\n' +
  '# deleting it makes new ones (existing tokens stop working and vaulted cards cannot be read).\n';

/**
 * The values of `wanted` from the secrets file, generating (and appending) the missing ones.
 *
 * Several processes may start at once on one installation (the API, `src/worker.ts`, a restart
 * overlapping a stop), so the file is only ever appended to — `O_APPEND`, created with mode
 * 0600 in a 0700 directory — and the first line for a name wins: two processes that both found
 * a name missing both append, re-read, and take the same (first) value. Throws on a file
 * others can read (POSIX) or that cannot be written.
 */
export function obtainSecrets(
  file: string,
  wanted: Readonly<Record<string, SecretGenerator>>,
): { values: Record<string, string>; generated: string[] } {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  let text = read(file);
  if (text !== '' && process.platform !== 'win32') {
    const mode = statSync(file).mode & 0o777;
    if (mode & 0o077) {
      throw new Error(
        `${file} is readable by other users (mode ${mode.toString(8)}): chmod 600 it, or delete it to generate new secrets`,
      );
    }
  }
  const present = parse(text);
  const mine = new Map<string, string>();
  for (const name of Object.keys(wanted)) if (!present.has(name)) mine.set(name, wanted[name]!());
  if (mine.size > 0) {
    const lines = [...mine].map(([name, value]) => `${name}=${value}\n`).join('');
    // One write, closing off first a line a crashed writer left unfinished (it is never read).
    const lead = text === '' ? HEADER : text.endsWith('\n') ? '' : TORN;
    appendFileSync(file, lead + lines, { mode: 0o600 });
    text = read(file);
  }
  const found = parse(text);
  const values: Record<string, string> = {};
  for (const name of Object.keys(wanted)) values[name] = found.get(name)!;
  // What this call generated and kept (a racing process's value may have come first).
  const generated = [...mine].filter(([name, value]) => values[name] === value).map(([n]) => n);
  return { values, generated };
}
