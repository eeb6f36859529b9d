import { AccessTokens } from '@app/platform';
import { createTestApp, type TestApp, type TestUser } from '@app/testing';

describe('identity: registration, login, tokens and roles', () => {
  let t: TestApp;
  let customer: TestUser;

  beforeAll(async () => {
    t = await createTestApp({
      env: { ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'bootstrap-admin-pw' },
    });
    customer = await t.newUser();
  });
  afterAll(() => t.close());

  it('registers, logs in and answers /me without ever returning the password', async () => {
    const reg = await t.post('/v1/identity/register', {
      email: ' Grace@Example.com ',
      password: 'a-long-password',
      displayName: 'Grace',
    });
    expect(reg.statusCode).toBe(201);
    expect(reg.json()).toMatchObject({
      email: 'grace@example.com',
      displayName: 'Grace',
      roles: ['customer'],
    });
    expect(reg.body).not.toContain('a-long-password');
    expect(reg.body).not.toMatch(/hash/i);

    const tokens = await t.login('grace@example.com', 'a-long-password');
    const me = await t.get('/v1/identity/me', { token: tokens.accessToken });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual(reg.json());
  });

  it('publishes identity.user-registered through the outbox, carrying the caller’s correlation id', async () => {
    const res = await t.post(
      '/v1/identity/register',
      { email: 'events@example.com', password: 'a-long-password', displayName: 'Ev' },
      { headers: { 'x-correlation-id': 'checkout-42' } },
    );
    const [row] = await t.dataSource.query(
      `SELECT type, version, correlation_id, causation_id, payload FROM platform.outbox WHERE payload->>'userId' = $1`,
      [res.json().id],
    );
    expect(row).toMatchObject({
      type: 'identity.user-registered',
      version: 1,
      correlation_id: 'checkout-42',
    });
    expect(row.causation_id).toBe(res.headers['x-request-id']);
    expect(row.payload).toEqual({
      userId: res.json().id,
      email: 'events@example.com',
      displayName: 'Ev',
      roles: ['customer'],
      registeredAt: res.json().createdAt,
    });
    expect(JSON.stringify(row)).not.toContain('a-long-password');
  });

  it('refuses a duplicate email with 409 identity.email_taken', async () => {
    const res = await t.post('/v1/identity/register', {
      email: customer.email.toUpperCase(),
      password: 'another-password',
      displayName: 'X',
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('identity.email_taken');
  });

  it('answers a wrong password and an unknown email identically', async () => {
    const wrong = await t.post('/v1/identity/login', {
      email: customer.email,
      password: 'not-the-password',
    });
    const unknown = await t.post('/v1/identity/login', {
      email: 'nobody@example.com',
      password: 'not-the-password',
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().code).toBe('identity.invalid_credentials');
    expect(unknown.json().detail).toBe(wrong.json().detail);
  });

  describe('access tokens', () => {
    const [b64] = [(o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')];

    it('rejects a missing token', async () => {
      const res = await t.get('/v1/identity/me');
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().code).toBe('platform.unauthorized');
    });

    it('rejects an expired token', async () => {
      const expired = await t
        .resolve(AccessTokens)
        .sign({ userId: customer.id, roles: ['customer'] }, -5);
      const res = await t.get('/v1/identity/me', { token: expired });
      expect(res.statusCode).toBe(401);
      expect(res.json().detail).toMatch(/expired/);
    });

    it('refuses a token it accepted once it expires (a checked signature is remembered, its expiry is not)', async () => {
      const brief = await t
        .resolve(AccessTokens)
        .sign({ userId: customer.id, roles: ['customer'] }, 1);
      expect((await t.get('/v1/identity/me', { token: brief })).statusCode).toBe(200);
      expect((await t.get('/v1/identity/me', { token: brief })).statusCode).toBe(200);
      const exp = JSON.parse(Buffer.from(brief.split('.')[1]!, 'base64url').toString()).exp;
      await new Promise((r) => setTimeout(r, exp * 1000 - Date.now() + 50));
      const res = await t.get('/v1/identity/me', { token: brief });
      expect(res.statusCode).toBe(401);
      expect(res.json().detail).toMatch(/expired/);
    });

    it('rejects a tampered token (payload changed, signature kept)', async () => {
      const [header, payload, signature] = customer.accessToken.split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
      const forged = `${header}.${b64({ ...claims, roles: ['admin'] })}.${signature}`;
      const res = await t.get('/v1/platform/deliveries/parked', { token: forged });
      expect(res.statusCode).toBe(401);
    });

    it('rejects an alg:none token', async () => {
      const claims = JSON.parse(
        Buffer.from(customer.accessToken.split('.')[1]!, 'base64url').toString(),
      );
      const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, roles: ['admin'] })}.`;
      const res = await t.get('/v1/identity/me', { token: none });
      expect(res.statusCode).toBe(401);
    });

    it('rejects a token signed with another secret', async () => {
      const other = await createTestApp({
        env: { JWT_SECRET: 'another-secret-that-is-long-enough-0123456789' },
        database: t.database,
      });
      try {
        const foreign = await other
          .resolve(AccessTokens)
          .sign({ userId: customer.id, roles: ['admin'] });
        expect((await t.get('/v1/identity/me', { token: foreign })).statusCode).toBe(401);
      } finally {
        await other.close();
      }
    });
  });

  describe('roles', () => {
    it('answers 403 to a customer on an admin route', async () => {
      const res = await t.get('/v1/platform/deliveries/parked', { token: customer.accessToken });
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('platform.forbidden');
    });

    it('bootstraps the first admin from ADMIN_EMAIL/ADMIN_PASSWORD', async () => {
      const admin = await t.login('root@example.com', 'bootstrap-admin-pw');
      const me = await t.get('/v1/identity/me', { token: admin.accessToken });
      expect(me.json().roles).toContain('admin');
      const res = await t.get('/v1/platform/deliveries/parked', { token: admin.accessToken });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ items: [], nextCursor: null });
    });
  });

  it('never promotes an account someone registered with ADMIN_EMAIL under another password', async () => {
    const squatter = await t.newUser({ email: 'ops@example.com', password: 'squatters-password' });
    const next = await createTestApp({
      database: t.database,
      env: { ADMIN_EMAIL: 'ops@example.com', ADMIN_PASSWORD: 'the-real-admin-password' },
    });
    await next.app.close();
    const me = await t.get('/v1/identity/me', {
      token: (await t.login(squatter.email, squatter.password)).accessToken,
    });
    expect(me.json().roles).toEqual(['customer']);
  });

  describe('refresh tokens', () => {
    it('rotates: each refresh token works once and yields a new pair', async () => {
      const user = await t.newUser();
      const first = await t.post('/v1/identity/refresh', { refreshToken: user.refreshToken });
      expect(first.statusCode).toBe(200);
      const next = first.json();
      expect(next.refreshToken).not.toBe(user.refreshToken);
      expect((await t.get('/v1/identity/me', { token: next.accessToken })).statusCode).toBe(200);
      const second = await t.post('/v1/identity/refresh', { refreshToken: next.refreshToken });
      expect(second.statusCode).toBe(200);
    });

    it('detects reuse of a rotated token and revokes the whole family', async () => {
      const user = await t.newUser();
      const rotated = (
        await t.post('/v1/identity/refresh', { refreshToken: user.refreshToken })
      ).json();
      const reuse = await t.post('/v1/identity/refresh', { refreshToken: user.refreshToken });
      expect(reuse.statusCode).toBe(401);
      expect(reuse.json().code).toBe('identity.refresh_token_reused');
      // The legitimate-looking successor is dead too: the thief and the victim both log in again.
      const successor = await t.post('/v1/identity/refresh', {
        refreshToken: rotated.refreshToken,
      });
      expect(successor.statusCode).toBe(401);
      expect(successor.json().code).toBe('identity.invalid_refresh_token');
      // Other sessions of the same user are untouched.
      const other = await t.login(user.email, user.password);
      expect(
        (await t.post('/v1/identity/refresh', { refreshToken: other.refreshToken })).statusCode,
      ).toBe(200);
    });

    it('lets only one of two concurrent refreshes with the same token win', async () => {
      const user = await t.newUser();
      const results = await Promise.all(
        [1, 2].map(() => t.post('/v1/identity/refresh', { refreshToken: user.refreshToken })),
      );
      expect(results.map((r) => r.statusCode).sort()).toEqual([200, 401]);
    });

    it('logout revokes the session', async () => {
      const user = await t.newUser();
      expect(
        (await t.post('/v1/identity/logout', { refreshToken: user.refreshToken })).statusCode,
      ).toBe(204);
      const res = await t.post('/v1/identity/refresh', { refreshToken: user.refreshToken });
      expect(res.statusCode).toBe(401);
    });

    it('rejects garbage and forged secrets', async () => {
      const user = await t.newUser();
      const [id] = user.refreshToken.split('.');
      for (const refreshToken of ['garbage', `${id}.${'A'.repeat(43)}`]) {
        const res = await t.post('/v1/identity/refresh', { refreshToken });
        expect(res.statusCode).toBe(401);
        expect(res.json().code).toBe('identity.invalid_refresh_token');
      }
    });
  });
});
