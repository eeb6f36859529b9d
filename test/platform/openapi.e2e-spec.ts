import SwaggerParser from '@apidevtools/swagger-parser';
import { INTERCEPTORS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { IdempotencyInterceptor, IS_PUBLIC } from '@app/platform';
import { createTestApp, type TestApp } from '@app/testing';

/** @nestjs/swagger's metadata keys for @ApiExcludeEndpoint() / @ApiExcludeController(). */
const API_EXCLUDE_ENDPOINT = 'swagger/apiExcludeEndpoint';
const API_EXCLUDE_CONTROLLER = 'swagger/apiExcludeController';

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: { type?: string; format?: string; example?: unknown };
}
interface Operation {
  tags?: string[];
  parameters?: Parameter[];
  security?: unknown[];
  responses: Record<string, unknown>;
}
type Paths = Record<string, Record<string, Operation>>;

function operations(doc: { paths: Paths }): [string, Operation][] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => [`${method} ${path}`, op] as [string, Operation]),
  );
}

/** Every route Nest registered, as OpenAPI path + method (e.g. `/v1/x/{id}` get). */
function registeredRoutes(t: TestApp): string[] {
  return routeInfo(t).map((r) => r.route);
}

/** The registered routes with what the document must say about them. */
function routeInfo(t: TestApp): { route: string; idempotent: boolean; public: boolean }[] {
  const discovery = t.resolve(DiscoveryService);
  const scanner = new MetadataScanner();
  const routes: { route: string; idempotent: boolean; public: boolean }[] = [];
  for (const wrapper of discovery.getControllers()) {
    const { metatype, instance } = wrapper;
    if (!metatype || !instance) continue;
    const base = String(Reflect.getMetadata(PATH_METADATA, metatype) ?? '');
    for (const name of scanner.getAllMethodNames(Object.getPrototypeOf(instance))) {
      const handler = instance[name];
      const path = Reflect.getMetadata(PATH_METADATA, handler);
      if (path === undefined) continue;
      // Left out of the public document on purpose (e.g. /metrics, for operators only).
      if (
        Reflect.getMetadata(API_EXCLUDE_ENDPOINT, handler)?.disable ||
        Reflect.getMetadata(API_EXCLUDE_CONTROLLER, metatype)?.[0]
      ) {
        continue;
      }
      const method =
        RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number]!.toLowerCase();
      const full = `/${[base, path]
        .map((p: string) => p.replace(/^\/|\/$/g, ''))
        .filter(Boolean)
        .join('/')}`.replace(/:(\w+)/g, '{$1}');
      const interceptors = (Reflect.getMetadata(INTERCEPTORS_METADATA, handler) ?? []) as unknown[];
      routes.push({
        route: `${method} ${full}`,
        idempotent: interceptors.includes(IdempotencyInterceptor),
        public: Boolean(
          Reflect.getMetadata(IS_PUBLIC, handler) ?? Reflect.getMetadata(IS_PUBLIC, metatype),
        ),
      });
    }
  }
  return routes.sort((a, b) => a.route.localeCompare(b.route));
}

describe('OpenAPI document', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('is served at /docs/openapi.json and is a valid OpenAPI 3 document', async () => {
    const res = await t.get('/docs/openapi.json');
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeDefined();
  });

  it('documents every route the app serves, grouped by context tag, with bearer auth', async () => {
    const doc = (await t.get('/docs/openapi.json')).json();
    const documented = Object.entries(
      doc.paths as Record<string, Record<string, { tags?: string[] }>>,
    ).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`));
    const routes = registeredRoutes(t);
    expect(routes.length).toBeGreaterThan(8);
    expect(documented.sort()).toEqual([...routes].sort());
    for (const ops of Object.values(
      doc.paths as Record<string, Record<string, { tags?: string[] }>>,
    )) {
      for (const op of Object.values(ops)) expect(op.tags?.length).toBeGreaterThan(0);
    }
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/v1/identity/me'].get.security).toEqual([{ bearer: [] }]);
    expect(doc.tags.map((tag: { name: string }) => tag.name)).toEqual(
      expect.arrayContaining(['platform', 'identity']),
    );
  });

  it('documents no parameter twice in any operation (name case-insensitive, per location)', async () => {
    const doc = (await t.get('/docs/openapi.json')).json();
    const duplicates: string[] = [];
    for (const [route, op] of operations(doc)) {
      const seen = new Set<string>();
      for (const p of op.parameters ?? []) {
        const id = `${p.in}:${p.name.toLowerCase()}`;
        if (seen.has(id)) duplicates.push(`${route} ${p.in} ${p.name}`);
        seen.add(id);
      }
    }
    expect(duplicates).toEqual([]);
  });

  it('documents Idempotency-Key exactly once, required, with a UUID example, on every @Idempotent() route', async () => {
    const doc = (await t.get('/docs/openapi.json')).json();
    const ops = new Map(operations(doc));
    const idempotent = routeInfo(t).filter((r) => r.idempotent);
    expect(idempotent.map((r) => r.route)).toEqual(
      expect.arrayContaining([
        'post /v1/commerce/orders',
        'post /v1/payments/transfers',
        'post /v1/payments/accounts/{id}/top-ups',
      ]),
    );
    for (const { route, idempotent: isIdempotent } of routeInfo(t)) {
      const headers = (ops.get(route)!.parameters ?? []).filter(
        (p) => p.name.toLowerCase() === 'idempotency-key',
      );
      if (!isIdempotent) {
        expect(headers, route).toEqual([]);
        continue;
      }
      expect(headers, route).toHaveLength(1);
      expect(headers[0]).toMatchObject({
        name: 'Idempotency-Key',
        in: 'header',
        required: true,
        schema: { type: 'string', format: 'uuid' },
      });
      expect(String(headers[0]!.schema!.example)).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
    }
  });

  it('marks public operations `security: []` and guarded ones bearer', async () => {
    const doc = (await t.get('/docs/openapi.json')).json();
    const ops = new Map(operations(doc));
    const routes = routeInfo(t);
    expect(routes.filter((r) => r.public).map((r) => r.route)).toEqual(
      expect.arrayContaining(['post /v1/identity/register', 'post /v1/identity/login']),
    );
    for (const { route, public: isPublic } of routes) {
      expect(ops.get(route)!.security, route).toEqual(isPublic ? [] : [{ bearer: [] }]);
    }
  });

  it('documents the 204 of DELETE /v1/commerce/products/{id}', async () => {
    const doc = (await t.get('/docs/openapi.json')).json();
    expect(doc.paths['/v1/commerce/products/{id}'].delete.responses).toHaveProperty('204');
  });

  it('configures Swagger UI for trying things: try-it-out on, filter, request duration, kept auth', async () => {
    const res = await t.get('/docs/swagger-ui-init.js');
    expect(res.statusCode).toBe(200);
    for (const option of [
      '"tryItOutEnabled": true',
      '"filter": true',
      '"displayRequestDuration": true',
      '"persistAuthorization": true',
    ]) {
      expect(res.body.replace(/\s+/g, ' ')).toContain(option);
    }
  });

  it('gives every Swagger UI request a fresh Idempotency-Key unless the user typed one', async () => {
    const init = (await t.get('/docs/swagger-ui-init.js')).body;
    const doc = (await t.get('/docs/openapi.json')).json() as {
      paths: Record<
        string,
        Record<
          string,
          { parameters?: { name: string; example?: string; schema?: { example?: string } }[] }
        >
      >;
    };
    const example = Object.values(doc.paths)
      .flatMap((item) => Object.values(item))
      .flatMap((op) => op.parameters ?? [])
      .find((p) => p.name === 'Idempotency-Key');
    const value = example?.example ?? example?.schema?.example;
    expect(value).toMatch(/^[0-9a-f-]{36}$/);
    // Run the interceptor exactly as Swagger UI will (its source is in the page).
    const source =
      /"?requestInterceptor"?:\s*(function anonymous\(request\s*\)\s*\{[\s\S]*?return request;\s*\})/.exec(
        init,
      )?.[1];
    expect(source).toBeDefined();
    const compile = (crypto: Partial<Crypto>) =>
      new Function('window', `return (${source})`)({ crypto }) as (r: {
        headers: Record<string, string>;
      }) => { headers: Record<string, string> };
    const intercept = compile(globalThis.crypto);
    // Plain-HTTP pages have no crypto.randomUUID: the fallback still makes v4 UUIDs.
    const fallback = compile({
      getRandomValues: globalThis.crypto.getRandomValues.bind(globalThis.crypto),
    });
    expect(fallback({ headers: { 'idempotency-key': value! } }).headers['idempotency-key']).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const first = intercept({ headers: { 'Idempotency-Key': value! } }).headers['Idempotency-Key'];
    const second = intercept({ headers: { 'Idempotency-Key': value! } }).headers['Idempotency-Key'];
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(second).not.toBe(first);
    expect(first).not.toBe(value);
    expect(
      intercept({ headers: { 'Idempotency-Key': 'typed-by-hand' } }).headers['Idempotency-Key'],
    ).toBe('typed-by-hand');
  });

  it('documents error answers as problem+json with a named example per code (status and code agree)', async () => {
    const doc = (await t.get('/docs/openapi.json')).json();
    const examplesOf = (path: string, method: string, status: string) =>
      Object.keys(
        doc.paths[path][method].responses[status]?.content?.['application/problem+json']
          ?.examples ?? {},
      ).sort();
    expect(examplesOf('/v1/identity/register', 'post', '409')).toEqual(['identity.email_taken']);
    // `validated: true`: fields that fail validation, and a body that is not readable JSON;
    // every operation with a body: one too complex to read (the HTTP layer, before validation).
    expect(examplesOf('/v1/identity/register', 'post', '400')).toEqual([
      'platform.bad_request',
      'platform.body_too_complex',
      'platform.validation_failed',
    ]);
    expect(examplesOf('/v1/identity/register', 'post', '413')).toEqual([
      'platform.payload_too_large',
    ]);
    expect(examplesOf('/v1/identity/register', 'post', '415')).toEqual([
      'platform.unsupported_media_type',
    ]);
    // @UuidParam(): a malformed id.
    expect(examplesOf('/v1/commerce/orders/{id}', 'get', '400')).toEqual(['platform.bad_request']);
    expect(examplesOf('/v1/identity/refresh', 'post', '401')).toEqual([
      'identity.invalid_refresh_token',
      'identity.refresh_token_expired',
      'identity.refresh_token_reused',
    ]);
    // @Idempotent()'s codes and the operation's own merge into one response per status.
    expect(examplesOf('/v1/commerce/orders', 'post', '422')).toEqual([
      'commerce.cart_empty',
      'commerce.mixed_currencies',
      'commerce.product_unavailable',
      'platform.idempotency_key_reused',
    ]);
    expect(examplesOf('/v1/commerce/orders', 'post', '400')).toEqual([
      'platform.bad_request',
      'platform.body_too_complex',
      'platform.idempotency_key_invalid',
      'platform.idempotency_key_missing',
      'platform.validation_failed',
    ]);
    expect(examplesOf('/v1/commerce/orders', 'post', '409')).toEqual([
      'platform.idempotency_in_flight',
    ]);
    for (const [route, op] of operations(doc)) {
      for (const [status, response] of Object.entries(op.responses) as [string, any][]) {
        const examples = response.content?.['application/problem+json']?.examples ?? {};
        for (const [name, example] of Object.entries(examples) as [string, any][]) {
          expect(example.value, `${route} ${status} ${name}`).toMatchObject({
            code: name,
            status: Number(status),
            type: `/problems/${name}`,
          });
        }
      }
    }
  });

  it('documents 401 (guarded), 429 (throttled) and 500 everywhere, every error as problem+json', async () => {
    const doc = (await t.get('/docs/openapi.json')).json();
    for (const [route, op] of operations(doc)) {
      const responses = op.responses as Record<string, { content?: Record<string, unknown> }>;
      expect(Object.keys(responses), route).toContain('500');
      if (op.security?.length) expect(Object.keys(responses), route).toContain('401');
      if (route.includes(' /v1/')) expect(Object.keys(responses), route).toContain('429');
      for (const [status, response] of Object.entries(responses)) {
        if (Number(status) < 400 || !response.content) continue;
        expect(Object.keys(response.content), `${route} ${status}`).toEqual([
          'application/problem+json',
        ]);
      }
    }
  });

  it('names operations <context>_<verbNoun>, uniquely, each with a summary and a description', async () => {
    const doc = (await t.get('/docs/openapi.json')).json();
    const ids: string[] = [];
    for (const [route, op] of operations(doc) as [string, Operation & Record<string, any>][]) {
      const context = op.tags![0]!;
      expect(op.operationId, route).toMatch(new RegExp(`^${context}_[a-z]+[A-Z][A-Za-z0-9]*$`));
      expect(op.summary?.length, `${route} summary`).toBeGreaterThan(10);
      expect(op.description?.length, `${route} description`).toBeGreaterThan(40);
      ids.push(op.operationId);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('lists tags in reading order (identity first, platform last) and namespaces every schema by context', async () => {
    const doc = (await t.get('/docs/openapi.json')).json();
    const tags = (doc.tags as { name: string }[]).map((tag) => tag.name);
    expect(tags[0]).toBe('identity');
    expect(tags.at(-1)).toBe('platform');
    const names = Object.keys(doc.components.schemas as object);
    expect(names.length).toBeGreaterThan(20);
    const namespaces = new Set(tags);
    for (const name of names) {
      expect(namespaces.has(name.split('.')[0]!) && /^[a-z-]+\.[A-Z]\w+$/.test(name), name).toBe(
        true,
      );
    }
  });

  it('documents what the validators enforce: lengths, patterns, integer bounds, UUID path ids', async () => {
    const doc = (await t.get('/docs/openapi.json')).json();
    const schema = (name: string) => doc.components.schemas[name].properties;
    expect(schema('identity.RegisterRequest').password).toMatchObject({
      minLength: 10,
      maxLength: 128,
    });
    expect(schema('payments.VaultCardRequest').number.pattern).toBeDefined();
    expect(schema('commerce.CreateProductRequest').price).toMatchObject({
      type: 'integer',
      minimum: 0,
    });
    for (const [route, op] of operations(doc)) {
      for (const p of op.parameters ?? []) {
        const s = p.schema as Record<string, unknown> | undefined;
        if (p.in === 'path' && /(^id|Id)$/.test(p.name)) {
          expect(s, `${route} ${p.name}`).toMatchObject({ type: 'string', format: 'uuid' });
        }
        if (s?.type === 'string') {
          expect(s.maxLength ?? s.enum, `${route} ${p.in} ${p.name}: maxLength`).toBeDefined();
        }
        if (s?.type === 'integer') {
          expect([s.minimum, s.maximum], `${route} ${p.name}: bounds`).not.toContain(undefined);
        }
      }
    }
  });

  it('serves Swagger UI at /docs', async () => {
    const res = await t.get('/docs');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('swagger-ui');
  });
});
