import { Writable } from 'node:stream';
import { createTestApp } from '@app/testing';

// Each app logs to its own stream (AppLogger): this one's is captured.
describe('logs', () => {
  it('are JSON with request ids, and never contain passwords or tokens', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const t = await createTestApp({ env: { LOG_LEVEL: 'trace' }, logStream: stream });
    try {
      const password = 'pw-that-must-not-leak';
      const user = await t.newUser({ password });
      await t.get('/v1/identity/me', {
        token: user.accessToken,
        headers: { 'x-request-id': 'trace-me-please' },
      });
      await t.post('/v1/identity/refresh', { refreshToken: user.refreshToken });
      await t.post('/v1/identity/refresh', { refreshToken: user.refreshToken }); // reuse → warning logged
      await new Promise((r) => setTimeout(r, 100));
      const all = lines.join('\n');
      expect(lines.length).toBeGreaterThan(3);
      for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
      // The request's completion line names who made it (known only once the guard ran).
      const completed = lines
        .map((l) => JSON.parse(l))
        .find((l) => l.req?.id === 'trace-me-please' && l.res?.statusCode === 200);
      expect(completed).toMatchObject({ userId: user.id, correlationId: 'trace-me-please' });
      expect(all).toContain('refresh token reuse detected');
      // Nest's per-module and per-route start-up lines are debug (20), not info.
      const boot = lines
        .map((l) => JSON.parse(l))
        .filter((l) => ['InstanceLoader', 'RouterExplorer'].includes(l.context));
      expect(boot.length).toBeGreaterThan(5);
      expect(boot.every((l) => l.level === 20)).toBe(true);
      for (const secret of [
        password,
        user.accessToken,
        user.refreshToken,
        user.refreshToken.split('.')[1]!,
      ]) {
        expect(all).not.toContain(secret);
      }
    } finally {
      await t.close();
    }
  });
});
