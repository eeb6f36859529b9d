import type { FieldError } from './app-error.js';

/** ES2024's `String.prototype.isWellFormed` (Node ≥ 20; the tsconfig targets ES2023). */
type WellFormed = string & { isWellFormed(): boolean };

/**
 * Strings this API refuses wherever they come from, before any handler sees them: a NUL
 * character (PostgreSQL `text` cannot store one — it was a 500 on every stored field) and text
 * that is not well-formed Unicode (a lone surrogate made class-validator's `isEmail` throw — a
 * 500 — and would be stored as U+FFFD). Found by the OpenAPI fuzz (test/reliability).
 */
export function unacceptableText(value: string): string | undefined {
  if (value.includes('\u0000')) return 'must not contain a NUL character';
  if (!(value as WellFormed).isWellFormed())
    return 'must be well-formed Unicode (no lone surrogates)';
  return undefined;
}

/** Every string in a parsed JSON body (bounded already: ≤ 1000 keys, ≤ 32 deep) that is refused. */
export function jsonTextProblems(value: unknown, path = ''): FieldError[] {
  if (typeof value === 'string') {
    const problem = unacceptableText(value);
    return problem ? [{ field: path || 'body', messages: [`${path || 'body'} ${problem}`] }] : [];
  }
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const field = path ? `${path}.${key}` : key;
    const keyProblem = unacceptableText(key);
    return keyProblem
      ? [{ field: path || 'body', messages: [`a key of ${path || 'body'} ${keyProblem}`] }]
      : jsonTextProblems(child, field);
  });
}

/** `%00` anywhere in the URL (path or query): decoded, it is a NUL character. */
export const ENCODED_NUL = /%00/i;
