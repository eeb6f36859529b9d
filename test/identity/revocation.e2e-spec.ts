import { AccessTokens, AppConfig, KNOWN_ROLES } from '@app/platform';
import { createTestApp, type TestApp } from '@app/testing';
import { Redis } from 'ioredis';

/** Ending a session (logout, refresh-token reuse) ends its access tokens too, at once. */
describe('identity: revocation reaches access tokens', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const me = (token: string) => t.get('/v1/identity/me', { token });

  it('logout: the same access token answers 401 platform.session_revoked right away', async () => {
    const user = await t.newUser();
    const otherSession = await t.login(user.email, user.password);
    expect((await me(user.accessToken)).statusCode).toBe(200);

    const out = await t.post('/v1/identity/logout', { refreshToken: user.refreshToken });
    expect(out.statusCode).toBe(204);

    const after = await me(user.accessToken);
    expect(after.statusCode).toBe(401);
    expect(after.headers['content-type']).toContain('application/problem+json');
    expect(after.json()).toMatchObject({ status: 401, code: 'platform.session_revoked' });
    // Every guarded route, whichever context serves it.
    const inbox = await t.get('/v1/notifications', { token: user.accessToken });
    expect(inbox.statusCode).toBe(401);
    expect(inbox.json().code).toBe('platform.session_revoked');
    // The user's other session is another family: untouched.
    expect((await me(otherSession.accessToken)).statusCode).toBe(200);
  });

  it('refresh-token reuse revokes every access token of the family, and only that family', async () => {
    const user = await t.newUser();
    const otherSession = await t.login(user.email, user.password);
    const rotated = (
      await t.post('/v1/identity/refresh', { refreshToken: user.refreshToken })
    ).json();
    expect((await me(rotated.accessToken)).statusCode).toBe(200);
    expect((await me(user.accessToken)).statusCode).toBe(200); // rotation alone revokes nothing

    const reuse = await t.post('/v1/identity/refresh', { refreshToken: user.refreshToken });
    expect(reuse.json().code).toBe('identity.refresh_token_reused');

    for (const token of [user.accessToken, rotated.accessToken]) {
      const res = await me(token);
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('platform.session_revoked');
    }
    expect((await me(otherSession.accessToken)).statusCode).toBe(200);
  });

  it('keeps each deny-list entry only as long as an access token can live', async () => {
    const user = await t.newUser();
    await t.post('/v1/identity/logout', { refreshToken: user.refreshToken });
    const keys = await t.redis.keys(`${t.redisPrefix}platform:revoked-session:*`);
    expect(keys.length).toBeGreaterThan(0);
    const ttl = t.resolve(AppConfig).JWT_ACCESS_TTL_SECONDS;
    for (const key of keys) {
      const left = await t.redis.ttl(key);
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThanOrEqual(ttl + 60);
    }
  });

  it('Redis restarted empty: a logged-out token stays refused, older tokens need a refresh', async () => {
    const loggedOut = await t.newUser();
    const active = await t.newUser();
    await t.post('/v1/identity/logout', { refreshToken: loggedOut.refreshToken });
    expect((await me(loggedOut.accessToken)).statusCode).toBe(401);
    expect((await me(active.accessToken)).statusCode).toBe(200);
    // Everything this app kept in Redis goes, as with a Redis restarted without its data: the
    // deny-list entry too, so a check of it alone would let the logged-out token back in.
    const keys = await t.redis.keys(`${t.redisPrefix}*`);
    expect(keys.length).toBeGreaterThan(0);
    await t.redis.del(...keys);
    // iat has whole seconds: a token from the second the list restarted in is still accepted.
    await new Promise((r) => setTimeout(r, 1100));

    for (const token of [loggedOut.accessToken, active.accessToken]) {
      const res = await me(token);
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('platform.session_revoked');
    }
    // Refresh tokens live in PostgreSQL: the active session refreshes, the ended one cannot.
    const refreshed = await t.post('/v1/identity/refresh', { refreshToken: active.refreshToken });
    expect(refreshed.statusCode).toBe(200);
    expect((await me(refreshed.json().accessToken)).statusCode).toBe(200);
    const ended = await t.post('/v1/identity/refresh', { refreshToken: loggedOut.refreshToken });
    expect(ended.statusCode).toBe(401);
  });

  it('fails closed: when Redis cannot be asked, a valid token is not accepted', async () => {
    const user = await t.newUser();
    // A real client to a port nothing listens on (not a mock): every command fails.
    const unreachable = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    unreachable.on('error', () => {});
    try {
      const tokens = new AccessTokens(
        t.resolve(AppConfig),
        t.resolve<string[]>(KNOWN_ROLES),
        unreachable,
      );
      expect(await tokens.verify(user.accessToken)).toEqual({ error: 'unavailable' });
      // The app's own client still reaches Redis: the same token is fine there.
      expect(await t.resolve(AccessTokens).verify(user.accessToken)).toMatchObject({
        userId: user.id,
      });
    } finally {
      unreachable.disconnect();
    }
  });
});
