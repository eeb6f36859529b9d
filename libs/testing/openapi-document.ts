import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Response as InjectResponse } from 'light-my-request';
import type { TestApp } from './test-app.js';

// ajv-formats is CommonJS with a default export; under NodeNext it arrives wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as (ajv: Ajv) => Ajv;

/** An OpenAPI 3.0 schema, dereferenced (no `$ref` left). */
export type Schema = {
  type?: string;
  format?: string;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  maxProperties?: number;
  nullable?: boolean;
  example?: unknown;
  default?: unknown;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  required?: string[];
  items?: Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  readOnly?: boolean;
  writeOnly?: boolean;
  description?: string;
};

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  /** OpenAPI 3.0: without it, `?name=` (an empty value) is not allowed. */
  allowEmptyValue?: boolean;
  schema: Schema;
}

interface DocResponse {
  description?: string;
  content?: Record<string, { schema?: Schema }>;
}

/** One operation of the served document, with what the harness needs to call and judge it. */
export interface Operation {
  id: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The templated path, `/v1/payments/accounts/{id}`. */
  path: string;
  parameters: Parameter[];
  body?: { required: boolean; contentTypes: string[]; schema?: Schema };
  responses: Record<string, DocResponse>;
  /** Needs a bearer token (a non-empty `security`). */
  secured: boolean;
  /** The roles a 403 response says the route requires (`@Roles`), or undefined when open. */
  roles?: string[];
}

export interface ApiDocument {
  raw: Record<string, any>;
  operations: Operation[];
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** GETs `/docs/openapi.json` from the app and lists its operations, `$ref`s resolved. */
export async function loadDocument(t: TestApp): Promise<ApiDocument> {
  const res = await t.get('/docs/openapi.json');
  if (res.statusCode !== 200) throw new Error(`GET /docs/openapi.json: ${res.statusCode}`);
  const raw = res.json() as Record<string, any>;
  const doc = (await SwaggerParser.dereference(structuredClone(raw) as never)) as Record<
    string,
    any
  >;
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const body = op.requestBody as
        { required?: boolean; content: Record<string, { schema?: Schema }> } | undefined;
      const forbidden = op.responses?.['403']?.description as string | undefined;
      operations.push({
        id: op.operationId,
        method: method.toUpperCase() as Operation['method'],
        path,
        parameters: [...(item.parameters ?? []), ...(op.parameters ?? [])],
        body: body && {
          required: body.required ?? false,
          contentTypes: Object.keys(body.content),
          schema: body.content['application/json']?.schema,
        },
        responses: op.responses,
        secured: (op.security ?? doc.security ?? []).length > 0,
        // Only `@Roles` (its "Requires role: …") makes a route role-gated; another 403 (e.g.
        // social.not_author: someone else's post) is an ownership answer, not a role check.
        roles: /Requires role: (.+)$/.exec(forbidden ?? '')?.[1]?.split(' or '),
      });
    }
  }
  return { raw, operations };
}

/** The documented response for a status: exact, `4XX`-style range, or `default`. */
export function documentedResponse(op: Operation, status: number): DocResponse | undefined {
  return (
    op.responses[String(status)] ?? op.responses[`${String(status)[0]}XX`] ?? op.responses.default
  );
}

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const compiled = new WeakMap<Schema, ValidateFunction>();

/** Validates a value against a document schema (OpenAPI 3.0: `nullable` is understood). */
export function schemaErrors(schema: Schema, value: unknown): string | undefined {
  let validate = compiled.get(schema);
  if (!validate) compiled.set(schema, (validate = ajv.compile(schema)));
  return validate(value) ? undefined : ajv.errorsText(validate.errors, { dataVar: 'body' });
}

// Query, path and header values arrive as strings: coerce them as the server's pipes do.
const coercing = new Ajv({ strict: false, coerceTypes: true });
addFormats(coercing);

/** Whether a parameter value (a string, or undefined when absent) satisfies its schema. */
export function parameterValid(param: Parameter, value: string | undefined): boolean {
  if (value === undefined) return !param.required;
  if (value === '' && param.allowEmptyValue) return true;
  const wrapper = { type: 'object', properties: { v: param.schema }, required: ['v'] };
  return coercing.validate(wrapper, { v: value });
}

/** A body in a few words: a problem's `code` and `detail`, or the start of the text. */
export function summarize(body: string): string {
  try {
    const json = JSON.parse(body) as { code?: unknown; detail?: unknown; message?: unknown };
    if (json && typeof json === 'object' && 'code' in json)
      return `${String(json.code)} "${String(json.detail ?? json.message ?? '').slice(0, 100)}"`;
  } catch {
    // not JSON
  }
  return body.slice(0, 100);
}

export interface Verdict {
  check: 'server_error' | 'status_undocumented' | 'content_type' | 'schema' | 'problem_json';
  message: string;
}

/**
 * Schemathesis's response checks: no 5xx, a documented status, a documented content type
 * (problem+json for every error), and a body that matches the documented schema.
 */
export function judgeResponse(op: Operation, res: InjectResponse): Verdict[] {
  const found: Verdict[] = [];
  const status = res.statusCode;
  const type = String(res.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim();
  const snippet = summarize(res.body);
  if (status >= 500) found.push({ check: 'server_error', message: `${status} ${snippet}` });
  const documented = documentedResponse(op, status);
  if (!documented) {
    found.push({ check: 'status_undocumented', message: `${status} (${type}) ${snippet}` });
  }
  if (status >= 400 && type !== 'application/problem+json') {
    found.push({ check: 'problem_json', message: `${status} as ${type || 'no content type'}` });
  }
  if (!documented || res.body.length === 0) return found;
  const content = documented.content ?? {};
  if (!(type in content)) {
    found.push({
      check: 'content_type',
      message: `${status} as ${type}; documented: ${Object.keys(content).join(', ') || 'no body'}`,
    });
    return found;
  }
  const schema = content[type]!.schema;
  if (!schema) return found;
  // A page (text/html) is documented as a string: there is no JSON to check it against.
  if (!/[/+]json$/.test(type)) {
    if (schema.type !== 'string')
      found.push({
        check: 'schema',
        message: `${status} as ${type}: documented as ${schema.type}`,
      });
    return found;
  }
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    found.push({ check: 'schema', message: `${status}: body is not JSON: ${snippet}` });
    return found;
  }
  const errors = schemaErrors(schema, body);
  if (errors) found.push({ check: 'schema', message: `${status}: ${errors}` });
  return found;
}
