import SwaggerParser from '@apidevtools/swagger-parser';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { createTestApp, type TestApp } from '@app/testing';

/** Every route Nest registered, as OpenAPI path + method (e.g. `/v1/x/{id}` get). */
function registeredRoutes(t: TestApp): string[] {
  const discovery = t.resolve(DiscoveryService);
  const scanner = new MetadataScanner();
  const routes: string[] = [];
  for (const wrapper of discovery.getControllers()) {
    const { metatype, instance } = wrapper;
    if (!metatype || !instance) continue;
    const base = String(Reflect.getMetadata(PATH_METADATA, metatype) ?? '');
    for (const name of scanner.getAllMethodNames(Object.getPrototypeOf(instance))) {
      const handler = instance[name];
      const path = Reflect.getMetadata(PATH_METADATA, handler);
      if (path === undefined) continue;
      const method =
        RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number]!.toLowerCase();
      const full = `/${[base, path]
        .map((p: string) => p.replace(/^\/|\/$/g, ''))
        .filter(Boolean)
        .join('/')}`.replace(/:(\w+)/g, '{$1}');
      routes.push(`${method} ${full}`);
    }
  }
  return routes.sort();
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
    expect(documented.sort()).toEqual(routes);
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

  it('serves Swagger UI at /docs', async () => {
    const res = await t.get('/docs');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('swagger-ui');
  });
});
