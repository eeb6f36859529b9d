import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestApp, type TestApp } from '@app/testing';

interface ProblemType {
  code: string;
  type: string;
  status: number;
  meaning: string;
  action: string;
}

describe('the problem-code catalogue', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('lists every code of the platform and of each context, and each type URI resolves here', async () => {
    const res = await t.get('/problems');
    expect(res.statusCode).toBe(200);
    const all = res.json() as ProblemType[];
    const codes = all.map((p) => p.code);
    for (const prefix of ['platform.', 'identity.', 'notifications.', 'commerce.', 'payments.'])
      expect(codes.some((c) => c.startsWith(prefix))).toBe(true);
    expect(new Set(codes).size).toBe(codes.length);
    for (const p of all) {
      expect(p.type).toBe(`/problems/${p.code}`);
      expect(p.status).toBeGreaterThanOrEqual(400);
      expect(p.meaning.length).toBeGreaterThan(10);
      expect(p.action.length).toBeGreaterThan(5);
      const one = await t.get(p.type);
      expect(one.statusCode).toBe(200);
      expect(one.json()).toEqual(p);
    }
  });

  it('answers real problems with a type that resolves to their code and status', async () => {
    const user = await t.newUser();
    const taken = await t.post('/v1/identity/register', {
      email: user.email,
      password: 'another-long-password',
      displayName: 'Again',
    });
    expect(taken.statusCode).toBe(409);
    const problem = taken.json() as { type: string; code: string; status: number };
    expect(problem.code).toBe('identity.email_taken');
    const entry = (await t.get(problem.type)).json() as ProblemType;
    expect(entry).toMatchObject({ code: 'identity.email_taken', status: problem.status });

    const unknown = await t.get('/problems/identity.no_such_code');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'platform.not_found' });
  });

  it('is the README’s table, row for row', async () => {
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| `([a-z]+\.[a-z0-9_]+)` \| (\d{3}) \|/gm)].map(
      (m) => `${m[1]} ${m[2]}`,
    );
    const all = (await t.get('/problems')).json() as ProblemType[];
    expect(rows.sort()).toEqual(all.map((p) => `${p.code} ${p.status}`).sort());
  });
});
