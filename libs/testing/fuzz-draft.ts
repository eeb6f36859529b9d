import { sample } from 'openapi-sampler';
import { randomUUID } from 'node:crypto';
import type { Operation, Parameter } from './openapi-document.js';
import { parameterValid, schemaErrors } from './openapi-document.js';
import { toJson } from './schema-arbitrary.js';

/** A request before it is encoded. Path and query values are already percent-encoded. */
export interface Draft {
  path: Record<string, string>;
  query: [string, string][];
  headers: Record<string, string | string[]>;
  /** JSON (encoded with toJson) or a raw payload with its content type. */
  body?: { json: unknown } | { raw: string; contentType?: string };
  /** `undefined`: the actor's token; `null`: none; a string: that Authorization header. */
  authorization?: string | null;
}

/** Values the generator cannot know: ids of real resources, a real cursor, the JWT secret. */
export interface FuzzContext {
  pathValue: (op: Operation, param: string) => string | undefined;
  bodyValue: (field: string) => string | undefined;
  /** Real `nextCursor`s seen so far, by operation id (foreign and tampered cursors). */
  cursors: Map<string, string>;
  jwtSecret: string;
}

export const enc = encodeURIComponent;

/** The example-based request (openapi-sampler over the document's examples), real ids filled in. */
export function baseDraft(op: Operation, ctx: FuzzContext): Draft {
  const draft: Draft = { path: {}, query: [], headers: {} };
  for (const p of op.parameters) {
    const example = p.schema.example ?? sample(p.schema as never);
    if (p.in === 'path') draft.path[p.name] = enc(ctx.pathValue(op, p.name) ?? String(example));
    if (p.in === 'header' && p.required) {
      draft.headers[p.name.toLowerCase()] = /idempotency/i.test(p.name)
        ? randomUUID()
        : String(example);
    }
    if (p.in === 'query' && p.required) draft.query.push([p.name, enc(String(example))]);
  }
  if (op.body?.schema) draft.body = { json: withRealValues(sample(op.body.schema as never), ctx) };
  return draft;
}

export function withRealValues(body: unknown, ctx: FuzzContext): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const out: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  for (const key of Object.keys(out)) out[key] = ctx.bodyValue(key) ?? out[key];
  return out;
}

export const clone = (d: Draft): Draft => ({
  path: { ...d.path },
  query: [...d.query],
  headers: { ...d.headers },
  ...(d.body ? { body: d.body } : {}),
  ...(d.authorization !== undefined ? { authorization: d.authorization } : {}),
});

/** Whether the document allows this request (so: must a conforming server accept it?). */
export function draftInvalid(op: Operation, d: Draft): boolean {
  const decode = (v: string) => {
    try {
      return decodeURIComponent(v);
    } catch {
      return undefined;
    }
  };
  for (const p of op.parameters) {
    const check = (v: string | undefined) => !parameterValid(p as Parameter, v);
    // A value that is not percent-encoded UTF-8 names no string the document could judge: such
    // a request is hostile (no 5xx, a documented answer), not necessarily invalid.
    if (p.in === 'path') {
      const v = decode(d.path[p.name] ?? '');
      if (v !== undefined && (v.includes('/') || check(v))) return true;
    }
    if (p.in === 'query') {
      const values = d.query.filter(([k]) => k === p.name).map(([, v]) => decode(v));
      if (values.length > 1) return true;
      if (!values.includes(undefined) && check(values[0])) return true;
    }
    if (p.in === 'header') {
      const v = d.headers[p.name.toLowerCase()];
      if (Array.isArray(v) || check(v)) return true;
    }
  }
  if (!op.body) return false;
  if (!d.body) return op.body.required;
  let value: unknown;
  if ('raw' in d.body) {
    const type = d.body.contentType?.split(';')[0]?.trim();
    // Media types match without their parameters (a charset the server ignores is hostile, not invalid).
    if (!type || !op.body.contentTypes.includes(type)) return true;
    try {
      value = JSON.parse(d.body.raw);
    } catch {
      return true;
    }
  } else value = JSON.parse(toJson(d.body.json));
  return op.body.schema ? schemaErrors(op.body.schema, value) !== undefined : false;
}
