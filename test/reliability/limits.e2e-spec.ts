import type { Response as InjectResponse } from 'light-my-request';
import { send } from '../../libs/testing/fuzz-runner.js';
import { createHarness, type Harness } from '../../libs/testing/harness.js';
import { documentedResponse, type Operation } from '../../libs/testing/openapi-document.js';
import { baseDraft, type Draft } from '../../libs/testing/openapi-fuzz.js';

/**
 * Limits every route keeps, checked over the operations of the served document: page sizes,
 * body size, key count and depth, CORS
 * for unlisted origins, and `Cache-Control: no-store` on answers that carry tokens.
 */
const ALLOWED_ORIGIN = 'https://shop.example';
const OTHER_ORIGIN = 'https://evil.example';
const isProblem = (res: InjectResponse) =>
  String(res.headers['content-type']).startsWith('application/problem+json');

describe('limits on every route', () => {
  let h: Harness;
  const request = (op: Operation, edit: (d: Draft) => void = () => undefined) => {
    const d = baseDraft(op, h.contextFor(h.customers[0]!));
    edit(d);
    return send(h.t, op, d, h.tokenFor(h.customers[0]!)(op));
  };
  const withBody = (op: Operation, raw: string) =>
    request(op, (d) => (d.body = { raw, contentType: 'application/json' }));
  const bodyOps = () => h.doc.operations.filter((op) => op.body);

  beforeAll(async () => {
    h = await createHarness(1, { env: { CORS_ORIGINS: ALLOWED_ORIGIN } });
  }, 120_000);
  afterAll(() => h?.t.close());

  it('bounds every list: `limit` has a documented maximum, and one over it is a 400', async () => {
    const lists = h.doc.operations.filter((op) => op.parameters.some((p) => p.name === 'limit'));
    expect(lists.length).toBeGreaterThan(0);
    const problems: string[] = [];
    for (const op of lists) {
      const max = op.parameters.find((p) => p.name === 'limit')!.schema.maximum;
      if (max === undefined) {
        problems.push(`${op.id}: limit has no maximum`);
        continue;
      }
      const setLimit = (v: string) => (d: Draft) => d.query.push(['limit', v]);
      const atMax = await request(op, setLimit(String(max)));
      if (atMax.statusCode !== 200) problems.push(`${op.id}: limit=${max} → ${atMax.statusCode}`);
      for (const over of [String(max + 1), '1000000', '1e300']) {
        const res = await request(op, setLimit(over));
        const fields =
          res.statusCode === 400 ? res.json().errors?.map((e: { field: string }) => e.field) : [];
        if (res.statusCode !== 400 || !isProblem(res) || !fields?.includes('limit'))
          problems.push(`${op.id}: limit=${over} → ${res.statusCode} ${res.body.slice(0, 120)}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('refuses a body over the size limit with 413 problem+json on every route that takes one', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(1024 * 1024 + 1024) });
    const problems: string[] = [];
    for (const op of bodyOps()) {
      const res = await withBody(op, big);
      if (
        res.statusCode !== 413 ||
        !isProblem(res) ||
        res.json().code !== 'platform.payload_too_large'
      )
        problems.push(
          `${op.id}: ${res.statusCode} ${res.headers['content-type']} ${res.body.slice(0, 120)}`,
        );
    }
    expect(problems).toEqual([]);
  });

  it('documents the 413 on every route that takes a body', () => {
    expect(
      bodyOps()
        .filter((op) => !documentedResponse(op, 413))
        .map((op) => op.id),
    ).toEqual([]);
  });

  // The black-box probe's freeze: 45 000 unknown keys took seconds and answered 3.3 MB.
  it('refuses 45 000 keys quickly, with a short answer, on every route that takes a body', async () => {
    const keys = `{${Array.from({ length: 45_000 }, (_, i) => `"k${i}":${i}`).join(',')}}`;
    const problems: string[] = [];
    for (const op of bodyOps()) {
      const started = performance.now();
      const res = await withBody(op, keys);
      const ms = Math.round(performance.now() - started);
      if (res.statusCode < 400 || res.statusCode >= 500 || ms > 500 || res.body.length > 16_384)
        problems.push(`${op.id}: ${res.statusCode} in ${ms} ms, ${res.body.length} bytes`);
    }
    expect(problems).toEqual([]);
  });

  it('refuses JSON nested 1 000 deep with a 4xx on every route that takes a body', async () => {
    const deep = '{"a":'.repeat(1000) + '1' + '}'.repeat(1000);
    const problems: string[] = [];
    for (const op of bodyOps()) {
      const res = await withBody(op, deep);
      if (res.statusCode < 400 || res.statusCode >= 500 || !isProblem(res))
        problems.push(`${op.id}: ${res.statusCode} ${res.body.slice(0, 120)}`);
    }
    expect(problems).toEqual([]);
  });

  it('sends no CORS headers to an unlisted origin, on every route and on errors', async () => {
    const problems: string[] = [];
    for (const op of h.doc.operations) {
      for (const authorization of [undefined, null]) {
        const res = await request(op, (d) => {
          d.headers.origin = OTHER_ORIGIN;
          if (authorization === null) d.authorization = null;
        });
        const cors = Object.keys(res.headers).filter((k) => k.startsWith('access-control-'));
        const line = `${op.id} (${res.statusCode}): ${cors.join(', ')}`;
        if (cors.length && !problems.includes(line)) problems.push(line);
      }
      const preflight = await h.t.app.inject({
        method: 'OPTIONS',
        url: op.path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000'),
        headers: { origin: OTHER_ORIGIN, 'access-control-request-method': op.method },
      });
      if (preflight.headers['access-control-allow-origin'])
        problems.push(`${op.id} preflight: ${preflight.headers['access-control-allow-origin']}`);
    }
    expect(problems).toEqual([]);
  });

  it('answers the listed origin with CORS headers on every route, errors included', async () => {
    const problems: string[] = [];
    for (const op of h.doc.operations) {
      const res = await request(op, (d) => {
        d.headers.origin = ALLOWED_ORIGIN;
        d.authorization = null;
      });
      if (res.headers['access-control-allow-origin'] !== ALLOWED_ORIGIN)
        problems.push(
          `${op.id} (${res.statusCode}): ${res.headers['access-control-allow-origin']}`,
        );
    }
    expect(problems).toEqual([]);
  });

  it('sends the security headers on every route, errors included', async () => {
    const problems: string[] = [];
    for (const op of h.doc.operations) {
      for (const authorization of [undefined, null, 'Bearer bad']) {
        const res = await request(op, (d) => (d.authorization = authorization));
        for (const header of ['x-content-type-options', 'content-security-policy', 'x-request-id'])
          if (!res.headers[header]) problems.push(`${op.id} (${res.statusCode}): no ${header}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('answers Cache-Control: no-store wherever a response carries tokens', async () => {
    const carriesTokens = (op: Operation) =>
      Object.entries(op.responses).some(
        ([status, r]) =>
          status.startsWith('2') &&
          Object.values(r.content ?? {}).some((c) =>
            ['accessToken', 'refreshToken'].some((k) => k in (c.schema?.properties ?? {})),
          ),
      );
    const ops = h.doc.operations.filter(carriesTokens);
    expect(ops.map((op) => op.id)).toContain('identity_logIn');
    const customer = h.customers[0]!;
    const problems: string[] = [];
    for (const op of ops) {
      // Real credentials for whatever the body asks: the login's, or a fresh session's token.
      const session = await h.t.login(customer.user.email, customer.user.password);
      const credentials = { ...customer.user, refreshToken: session.refreshToken };
      const res = await request(op, (d) => {
        const json = (d.body as { json: Record<string, unknown> } | undefined)?.json ?? {};
        for (const key of Object.keys(json))
          if (key in credentials) json[key] = credentials[key as keyof typeof credentials];
      });
      if (res.statusCode >= 300)
        problems.push(
          `${op.id}: could not get tokens: ${res.statusCode} ${res.body.slice(0, 120)}`,
        );
      else if (!/\bno-store\b/.test(String(res.headers['cache-control'])))
        problems.push(`${op.id}: Cache-Control ${res.headers['cache-control'] ?? '(none)'}`);
    }
    expect(problems).toEqual([]);
  });
});

// The rate limit across two server processes sharing Redis: rate-limit-processes.e2e-spec.ts.
