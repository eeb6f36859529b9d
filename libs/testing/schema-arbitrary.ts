import fc from 'fast-check';
import type { Schema } from './openapi-document.js';

/**
 * fast-check arbitraries from the document's (dereferenced) JSON schemas: values the document
 * says are valid. Bounded so a case stays small (strings ≤ 64 characters unless the schema asks
 * for more, arrays ≤ 3 items, free-form objects ≤ 3 keys).
 */
export function arbitraryFor(schema: Schema | undefined): fc.Arbitrary<unknown> {
  if (!schema) return fc.constant(undefined);
  const merged = schema.allOf?.length ? Object.assign({}, ...schema.allOf, schema) : schema;
  const value = plain(merged);
  return merged.nullable ? fc.oneof({ weight: 9, arbitrary: value }, fc.constant(null)) : value;
}

function plain(s: Schema): fc.Arbitrary<unknown> {
  if (s.enum) return fc.constantFrom(...s.enum);
  if (s.oneOf ?? s.anyOf) return fc.oneof(...(s.oneOf ?? s.anyOf)!.map(arbitraryFor));
  switch (s.type) {
    case 'string':
      return stringFor(s);
    case 'integer': {
      const min = s.minimum ?? -(2 ** 31);
      const max = s.maximum ?? 2 ** 31 - 1;
      return fc.bigInt({ min: BigInt(min), max: BigInt(max) }).map(Number);
    }
    case 'number':
      return fc.double({
        min: s.minimum ?? -1e9,
        max: s.maximum ?? 1e9,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(arbitraryFor(s.items), {
        minLength: s.minItems ?? 0,
        maxLength: Math.min(s.maxItems ?? 3, 3),
      });
    default:
      return objectFor(s);
  }
}

function objectFor(s: Schema): fc.Arbitrary<unknown> {
  if (!s.properties) {
    // Free-form JSON (e.g. product attributes): a few scalar entries.
    return fc.dictionary(
      fc.string({ minLength: 1, maxLength: 12 }),
      fc.oneof(fc.string(), fc.integer(), fc.boolean()),
      {
        maxKeys: Math.min(s.maxProperties ?? 3, 3),
      },
    );
  }
  const props = Object.fromEntries(
    Object.entries(s.properties)
      .filter(([, p]) => !p.readOnly)
      .map(([k, p]) => [k, arbitraryFor(p)]),
  );
  return fc.record(props, { requiredKeys: (s.required ?? []).filter((k) => k in props) });
}

function stringFor(s: Schema): fc.Arbitrary<string> {
  const minLength = s.minLength ?? 0;
  const maxLength = Math.max(minLength, Math.min(s.maxLength ?? 64, 64));
  const fits = (v: string) =>
    v.length >= (s.minLength ?? 0) && v.length <= (s.maxLength ?? Infinity);
  switch (s.format) {
    case 'uuid':
      return fc.uuid();
    case 'email':
      return fc.emailAddress().filter(fits);
    case 'date-time':
      return fc
        .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString());
    case 'uri':
      return fc.webUrl();
  }
  if (s.pattern) return fc.stringMatching(new RegExp(s.pattern)).filter(fits);
  return fc.string({ unit: 'grapheme', minLength, maxLength }).filter(fits);
}

/** A JSON fragment written as is: numbers JavaScript cannot hold, or keys it would eat. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** JSON.stringify, with RawJson fragments spliced in verbatim. */
export function toJson(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_k, v: unknown) =>
    v instanceof RawJson ? `\u0000raw${raws.push(v.text) - 1}\u0000` : v,
  );
  // JSON.stringify escapes the NUL markers as \u0000.
  return text.replace(/"\\u0000raw(\d+)\\u0000"/g, (_m, i: string) => raws[Number(i)]!);
}

/** Strings a careless server stores, logs or crashes on; each still a JSON string. */
export const HOSTILE_STRINGS: Record<string, string> = {
  'control characters': 'a\u0001\u0007\u001b[2J\u007f\u0085b',
  'NUL byte': 'a\u0000b',
  'lone high surrogate': 'a\ud800b',
  'lone low surrogate': '\udfffa',
  'bidi override and zero-width': 'a\u202e\u200b\ufeffb',
  'SQL and template syntax': "' OR 1=1 -- ${7*7} {{7*7}} %s%n",
  '100 000 characters': 'x'.repeat(100_000),
};

/** Numbers at and past the edges of IEEE 754 doubles and int64, as raw JSON. */
export const EXTREME_NUMBERS: Record<string, RawJson | number | string> = {
  '2^53 + 1': new RawJson('9007199254740993'),
  'int64 max + 1': new RawJson('9223372036854775808'),
  '1e300': new RawJson('1e300'),
  '-1e300': new RawJson('-1e300'),
  'a fraction': 1.5,
  'negative zero': new RawJson('-0'),
  'a numeric string': '12',
};

/** Values of the wrong JSON type for a field of type `type`. */
export function wrongTypes(type: string | undefined): Record<string, unknown> {
  const all: Record<string, unknown> = {
    null: null,
    boolean: true,
    array: [],
    object: {},
    number: 0,
    string: 'x',
  };
  const same: Record<string, string> = { integer: 'number', number: 'number' };
  delete all[same[type ?? ''] ?? type ?? ''];
  return all;
}

/** `{"a":{"a":…}}` nested `depth` deep, as raw JSON (built as text: no recursion). */
export const deepObject = (depth: number) =>
  new RawJson('{"a":'.repeat(depth) + '1' + '}'.repeat(depth));
export const deepArray = (depth: number) => new RawJson('['.repeat(depth) + ']'.repeat(depth));
