import { loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/postgres');
    expect(c.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(c.CONTEXTS).toContain('identity');
    expect(c.EVENT_TRANSPORT).toBe('none');
  });

  it('converts types', () => {
    const c = loadConfig({ PORT: '8080', WORKERS: 'false', CONTEXTS: 'identity, commerce' });
    expect(c.PORT).toBe(8080);
    expect(c.WORKERS).toBe(false);
    expect(c.CONTEXTS).toEqual(['identity', 'commerce']);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ CONTEXTS: 'identity,shop' }, 'CONTEXTS'],
    [{ EVENT_TRANSPORT: 'carrier-pigeon' }, 'EVENT_TRANSPORT'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ NODE_ENV: 'production' }, 'JWT_SECRET'],
    [{ ADMIN_EMAIL: 'a@b.co' }, 'ADMIN_PASSWORD'],
    [{ ADMIN_PASSWORD: 'long-enough-password' }, 'ADMIN_EMAIL'],
  ])('rejects %j naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(new RegExp(`${name}:`));
  });

  it('never echoes a secret value in the error', () => {
    expect(() => loadConfig({ JWT_SECRET: 'hunter2' })).toThrow(/JWT_SECRET/);
    try {
      loadConfig({ JWT_SECRET: 'hunter2' });
    } catch (e) {
      expect(String(e)).not.toContain('hunter2');
    }
  });
});
