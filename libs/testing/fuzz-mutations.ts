import { SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { clone, enc, type Draft, type FuzzContext } from './fuzz-draft.js';
import type { Operation, Schema } from './openapi-document.js';
import {
  deepArray,
  deepObject,
  EXTREME_NUMBERS,
  HOSTILE_STRINGS,
  RawJson,
  toJson,
  wrongTypes,
} from './schema-arbitrary.js';

/** Requests that break one thing of a valid one, grouped by category for the round-robin. */
/** Content types other than JSON, and JSON with a charset it is not in. */
export const WRONG_CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/xml',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
];

export type Mutation = { category: string; label: string; draft: Draft };

export function bodyMutations(op: Operation, base: Draft): Mutation[] {
  const out: Mutation[] = [];
  if (!op.body) return out;
  const json = base.body && 'json' in base.body ? (base.body.json as Record<string, unknown>) : {};
  const withBody = (category: string, label: string, body: Draft['body']) => {
    const d = clone(base);
    if (body) d.body = body;
    else delete d.body;
    out.push({ category, label, draft: d });
  };
  const setField = (category: string, field: string, label: string, value: unknown) =>
    withBody(category, `body.${field} = ${label}`, { json: { ...json, [field]: value } });
  for (const [field, s] of Object.entries<Schema>(op.body.schema?.properties ?? {})) {
    const type = s.type ?? s.allOf?.[0]?.type;
    if (type === 'string') {
      for (const [label, v] of Object.entries(HOSTILE_STRINGS))
        setField('strings', field, label, v);
      if (s.maxLength) setField('strings', field, `maxLength + 1`, 'a'.repeat(s.maxLength + 1));
    }
    if (type === 'integer' || type === 'number') {
      for (const [label, v] of Object.entries(EXTREME_NUMBERS))
        setField('numbers', field, label, v);
      if (s.maximum !== undefined) setField('numbers', field, 'maximum + 1', s.maximum + 1);
      if (s.minimum !== undefined) setField('numbers', field, 'minimum - 1', s.minimum - 1);
    }
    for (const [label, v] of Object.entries(wrongTypes(type))) setField('types', field, label, v);
    setField('nesting', field, 'nested 10 000 deep', deepObject(10_000));
    setField(
      'arrays',
      field,
      'an array of 100 000 numbers',
      new RawJson(`[${'0,'.repeat(99_999)}0]`),
    );
    if (op.body.schema?.required?.includes(field)) {
      const { [field]: _dropped, ...rest } = json;
      withBody('missing', `body without ${field}`, { json: rest });
    }
  }
  const text = toJson(json);
  withBody('missing', 'no body', undefined);
  withBody('types', 'body = null', { raw: 'null', contentType: 'application/json' });
  withBody('types', 'body = []', { json: [] });
  withBody('types', 'body = "text"', { json: 'text' });
  withBody('extra', 'body with isAdmin and roles', {
    json: { ...json, isAdmin: true, roles: ['admin'] },
  });
  withBody('extra', 'body with __proto__', {
    raw: text.replace(/^\{/, '{"__proto__":{"roles":["admin"]},'),
    contentType: 'application/json',
  });
  withBody('extra', 'body with 2 000 unknown keys', {
    json: { ...json, ...Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, i])) },
  });
  withBody('nesting', 'body nested 10 000 deep', { json: deepObject(10_000) });
  withBody('nesting', 'body an array nested 10 000 deep', { json: deepArray(10_000) });
  withBody('arrays', 'body an array of 100 000 objects', {
    raw: `[${'{},'.repeat(99_999)}{}]`,
    contentType: 'application/json',
  });
  for (const contentType of WRONG_CONTENT_TYPES) {
    withBody('content-type', `content type ${contentType}`, { raw: text, contentType });
  }
  withBody('content-type', 'malformed JSON', {
    raw: text.slice(0, -1),
    contentType: 'application/json',
  });
  withBody('content-type', 'JSON without a content type', { raw: text });
  return out;
}

const PATH_VALUES: Record<string, string> = {
  'not a UUID': 'not-a-uuid',
  'a UUID without dashes': randomUUID().replace(/-/g, ''),
  'the nil UUID': '00000000-0000-0000-0000-000000000000',
  '5 000 characters': 'a'.repeat(5000),
  'an encoded NUL': '%00',
  'bad percent-encoding': '%E0%A4%A',
  'an encoded slash and dots': '..%2F..%2Fetc%2Fpasswd',
  'an emoji': enc('💥'),
  SQL: enc("1' OR '1'='1"),
};

export function parameterMutations(op: Operation, base: Draft, ctx: FuzzContext): Mutation[] {
  const out: Mutation[] = [];
  const push = (category: string, label: string, edit: (d: Draft) => void) => {
    const d = clone(base);
    edit(d);
    out.push({ category, label, draft: d });
  };
  for (const p of op.parameters) {
    if (p.in === 'path') {
      for (const [label, v] of Object.entries(PATH_VALUES))
        push('path', `{${p.name}} = ${label}`, (d) => (d.path[p.name] = v));
    }
    if (p.in === 'query') {
      const set = (label: string, v: string, category = 'query') =>
        push(category, `?${p.name} = ${label}`, (d) => {
          d.query = d.query.filter(([k]) => k !== p.name).concat([[p.name, v]]);
        });
      for (const v of ['abc', '-1', '0', '', '1e300', '9007199254740993', '%00', '%ED%A0%80'])
        set(JSON.stringify(v), v);
      if (p.schema.maximum !== undefined) set('maximum + 1', String(p.schema.maximum + 1));
      if (p.schema.maxLength !== undefined)
        set('maxLength + 1', 'a'.repeat(p.schema.maxLength + 1));
      push('query', `?${p.name} twice`, (d) => d.query.push([p.name, '1'], [p.name, '2']));
      if (p.name === 'cursor') cursorMutations(op, ctx).forEach(([l, v]) => set(l, v, 'cursor'));
    }
    if (p.in === 'header') {
      const name = p.name.toLowerCase();
      push('header', `${p.name} missing`, (d) => delete d.headers[name]);
      push('header', `${p.name} empty`, (d) => (d.headers[name] = ''));
      push('header', `${p.name} 300 characters`, (d) => (d.headers[name] = 'k'.repeat(300)));
      push('header', `${p.name} twice`, (d) => (d.headers[name] = [randomUUID(), randomUUID()]));
    }
  }
  return out;
}

const b64 = (text: string) => Buffer.from(text).toString('base64url');

/** Garbage, tampered (a real cursor's fields given wrong values) and foreign cursors. */
function cursorMutations(op: Operation, ctx: FuzzContext): [string, string][] {
  const out: [string, string][] = [
    ['garbage', '!!not-base64!!'],
    ['base64 of {}', b64('{}')],
    ['base64 of [1]', b64('[1]')],
    ['base64 of 1e300', b64('1e300')],
    ['base64 of JSON nested 150 deep', b64('['.repeat(150) + ']'.repeat(150))],
  ];
  const own = ctx.cursors.get(op.id);
  if (own) {
    out.push([
      'a real cursor, one character changed',
      own.slice(0, -2) + (own.endsWith('A') ? 'B' : 'A') + own.slice(-1),
    ]);
    try {
      const key = JSON.parse(Buffer.from(own, 'base64url').toString()) as Record<string, unknown>;
      for (const field of Object.keys(key)) {
        for (const [label, v] of Object.entries({
          text: 'x',
          number: 1e300,
          null: null,
          object: {},
        }))
          out.push([`tampered: ${field} = ${label}`, b64(JSON.stringify({ ...key, [field]: v }))]);
      }
    } catch {
      // An opaque cursor: flipping a character above is all we can do.
    }
  }
  for (const [id, cursor] of ctx.cursors)
    if (id !== op.id) out.push([`foreign: from ${id}`, cursor]);
  return out;
}

export async function badTokens(secret: string): Promise<Record<string, string | null>> {
  const key = new TextEncoder().encode(secret);
  const claims = { roles: ['admin'] };
  const base = () =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(randomUUID())
      .setIssuer('five-businesses/identity')
      .setAudience('five-businesses/api')
      .setIssuedAt();
  const valid = await base().setExpirationTime('5m').sign(key);
  const [h, p] = valid.split('.');
  const none = `${b64(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${p}.`;
  return {
    'no token': null,
    'Bearer without a token': 'Bearer ',
    'a Basic credential': 'Basic dXNlcjpwYXNzd29yZA==',
    'garbage token': 'Bearer not.a.jwt',
    'tampered signature': `Bearer ${h}.${p}.${b64('forged')}`,
    'alg none': `Bearer ${none}`,
    expired: `Bearer ${await base()
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(key)}`,
    'another secret': `Bearer ${await base()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('x'.repeat(40)))}`,
    'a 10 000-character token': `Bearer ${'a'.repeat(10_000)}`,
  };
}
