import { findLeaks } from './exposure.js';
import type { Observed } from './fuzz-runner.js';
import type { Operation } from './openapi-document.js';
import { draftInvalid, generateCases, type FuzzContext } from './openapi-fuzz.js';
import { RawJson, toJson } from './schema-arbitrary.js';

// The harness's own logic, without an app: a seed replays, "invalid" means what the document
// says, and the exposure scan finds what it claims to.
const op: Operation = {
  id: 'probe_createThing',
  method: 'POST',
  path: '/v1/things/{id}',
  parameters: [
    { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
    { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } },
  ],
  body: {
    required: true,
    contentTypes: ['application/json'],
    schema: {
      type: 'object',
      required: ['name', 'amount'],
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 20, example: 'Ada' },
        amount: { type: 'integer', minimum: 1, maximum: 1000, example: 5 },
      },
    },
  },
  responses: { '201': { description: 'made' } },
  secured: true,
};
const ctx: FuzzContext = {
  pathValue: () => '0194f3a2-7c1e-7b40-9a8e-3f1c2d4b5a69',
  bodyValue: () => undefined,
  cursors: new Map(),
  jwtSecret: 'x'.repeat(40),
};

describe('the OpenAPI fuzz generator', () => {
  it('generates the same cases for the same seed, and others for another', async () => {
    const shape = async (seed: number) =>
      (await generateCases(op, ctx, 40, seed)).map((c) => `${c.kind} ${c.label}`);
    expect(await shape(42)).toEqual(await shape(42));
    expect(await shape(42)).not.toEqual(await shape(43));
    expect(await shape(42)).toHaveLength(40);
  });

  it('covers bad tokens, valid requests and invalid ones', async () => {
    const cases = await generateCases(op, ctx, 40, 1);
    const kinds = new Set(cases.map((c) => c.kind));
    expect([...kinds].sort()).toEqual(expect.arrayContaining(['auth', 'invalid', 'valid']));
    expect(cases.filter((c) => c.kind === 'auth').every((c) => c.unauthorized)).toBe(true);
    expect(cases.filter((c) => c.kind === 'valid').every((c) => !c.invalid)).toBe(true);
  });

  it('calls a request invalid only when the document forbids it', () => {
    const draft = (body: unknown, id = '0194f3a2-7c1e-7b40-9a8e-3f1c2d4b5a69') => ({
      path: { id },
      query: [] as [string, string][],
      headers: {},
      body: { json: body },
    });
    expect(draftInvalid(op, draft({ name: 'Ada', amount: 5 }))).toBe(false);
    expect(draftInvalid(op, draft({ name: 'Ada', amount: 5, extra: 1 }))).toBe(false);
    expect(draftInvalid(op, draft({ name: 'Ada\u0000', amount: 5 }))).toBe(false);
    expect(draftInvalid(op, draft({ name: 'Ada', amount: new RawJson('1e300') }))).toBe(true);
    expect(draftInvalid(op, draft({ name: 'Ada' }))).toBe(true);
    expect(draftInvalid(op, draft({ name: 'Ada', amount: 5 }, 'not-a-uuid'))).toBe(true);
    expect(draftInvalid(op, { ...draft({}), query: [['limit', '101']] })).toBe(true);
    expect(draftInvalid(op, { ...draft({}), body: { raw: '{}', contentType: 'text/plain' } })).toBe(
      true,
    );
  });

  it('writes numbers JavaScript cannot hold verbatim', () => {
    expect(toJson({ a: new RawJson('9223372036854775808'), b: 'x\u0000' })).toBe(
      '{"a":9223372036854775808,"b":"x\\u0000"}',
    );
  });
});

describe('the exposure scan', () => {
  const seen = (body: string, headers: Record<string, unknown> = {}): Observed => ({
    operationId: 'probe_op',
    label: 'case',
    status: 400,
    headers,
    body,
  });
  const secrets = { substrings: { password: 'pw-0123456789' }, exactValues: { CVC: '7391' } };

  it('finds secrets in bodies and headers, CVCs as values, hashes and secret-named fields', () => {
    expect(findLeaks([seen('{"detail":"got pw-0123456789"}')], secrets)).toHaveLength(1);
    expect(findLeaks([seen('{}', { 'x-echo': 'pw-0123456789' })], secrets)).toHaveLength(1);
    expect(findLeaks([seen('{"a":{"b":["7391"]}}')], secrets)).toHaveLength(1);
    expect(findLeaks([seen('{"h":"$argon2id$v=19$m=1"}')], secrets)).toHaveLength(1);
    expect(findLeaks([seen('{"user":{"passwordHash":"x"}}')], secrets)).toHaveLength(1);
    expect(findLeaks([seen('{"amount":7391,"id":"a7391b"}')], secrets)).toEqual([]);
  });
});
