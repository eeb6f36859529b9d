import { createTestApp, type TestApp } from '@app/testing';
import { randomBytes } from 'node:crypto';

/** A request from a given client address (light-my-request sets the socket's remote address). */
function from(t: TestApp, ip: string, url: string, payload: object) {
  return t.app.inject({ method: 'POST', url, payload, remoteAddress: ip });
}

const email = () => `throttle-${randomBytes(4).toString('hex')}@example.com`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('identity: login throttling per account', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        IDENTITY_LOGIN_MAX_FAILURES: '5',
        // Short, so a test can wait it out; long enough for 7 logins on a busy machine.
        IDENTITY_LOGIN_WINDOW_SECONDS: '5',
        IDENTITY_AUTH_PER_IP: '10000',
      },
    });
  });
  afterAll(() => t.close());

  const login = (email: string, password: string) =>
    t.post('/v1/identity/login', { email, password });

  it('after 5 wrong passwords answers 429 with Retry-After, even to the right one, until the window passes', async () => {
    const user = await t.newUser();
    for (let i = 0; i < 5; i++) {
      const res = await login(user.email, 'wrong-password');
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('identity.invalid_credentials');
    }
    // Case and spaces do not make another account.
    const locked = await login(`  ${user.email.toUpperCase()} `, user.password);
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['content-type']).toContain('application/problem+json');
    expect(locked.json()).toMatchObject({ status: 429, code: 'identity.too_many_attempts' });
    const retryAfter = Number(locked.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(5);

    await sleep(retryAfter * 1000 + 100);
    expect((await login(user.email, user.password)).statusCode).toBe(200);
  });

  it('a successful login clears the count', async () => {
    const user = await t.newUser();
    for (let i = 0; i < 4; i++) await login(user.email, 'wrong-password');
    expect((await login(user.email, user.password)).statusCode).toBe(200);
    for (let i = 0; i < 4; i++)
      expect((await login(user.email, 'wrong-password')).statusCode).toBe(401);
    expect((await login(user.email, user.password)).statusCode).toBe(200);
  });

  it('throttles an email without an account exactly like one with', async () => {
    const user = await t.newUser();
    const nobody = email();
    const answers = async (address: string) => {
      const all = [];
      for (let i = 0; i < 7; i++) all.push(await login(address, 'wrong-password'));
      return all.map((r) => ({
        status: r.statusCode,
        code: r.json().code,
        detail: r.json().detail,
        retryAfter: r.headers['retry-after'] !== undefined,
      }));
    };
    const known = await answers(user.email);
    const unknown = await answers(nobody);
    expect(unknown).toEqual(known);
    expect(known.map((a) => a.status)).toEqual([401, 401, 401, 401, 401, 429, 429]);
  });

  it('lets at most 5 of 20 concurrent guesses reach the password check', async () => {
    const user = await t.newUser();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => login(user.email, 'wrong-password')),
    );
    const statuses = results.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
  });
});

describe('identity: authentication throttling per client IP', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        IDENTITY_AUTH_PER_IP: '5',
        IDENTITY_AUTH_IP_WINDOW_SECONDS: '60',
        IDENTITY_LOGIN_MAX_FAILURES: '1000',
      },
    });
  });
  afterAll(() => t.close());

  it('limits logins from one IP across different emails; other IPs are unaffected', async () => {
    const password = 'a-long-password';
    const account = email();
    const reg = await from(t, '10.9.0.1', '/v1/identity/register', {
      email: account,
      password,
      displayName: 'Victim',
    });
    expect(reg.statusCode).toBe(201);

    for (let i = 0; i < 5; i++) {
      const res = await from(t, '10.9.0.2', '/v1/identity/login', {
        email: email(),
        password: 'guess',
      });
      expect(res.statusCode).toBe(401);
    }
    const sixth = await from(t, '10.9.0.2', '/v1/identity/login', { email: account, password });
    expect(sixth.statusCode).toBe(429);
    expect(sixth.json().code).toBe('identity.too_many_attempts');
    expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(0);

    const elsewhere = await from(t, '10.9.0.3', '/v1/identity/login', { email: account, password });
    expect(elsewhere.statusCode).toBe(200);
  });

  it('limits registrations and refreshes per IP too', async () => {
    const register = () =>
      from(t, '10.9.1.1', '/v1/identity/register', {
        email: email(),
        password: 'a-long-password',
        displayName: 'Bulk',
      });
    for (let i = 0; i < 5; i++) expect((await register()).statusCode).toBe(201);
    expect((await register()).statusCode).toBe(429);

    const refresh = () => from(t, '10.9.1.2', '/v1/identity/refresh', { refreshToken: 'garbage' });
    for (let i = 0; i < 5; i++) expect((await refresh()).statusCode).toBe(401);
    const limited = await refresh();
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe('identity.too_many_attempts');
  });
});
