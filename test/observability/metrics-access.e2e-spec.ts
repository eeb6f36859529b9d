import { createTestApp, type TestApp } from '@app/testing';
import { createServer } from 'node:net';

const TOKEN = 'metrics-token-0123456789';

/** A free TCP port (METRICS_PORT must be a real one). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** METRICS_TOKEN guards /metrics; METRICS_PORT moves it off the public API to its own server. */
describe('observability: who can read /metrics', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    t = await createTestApp({
      env: { METRICS_TOKEN: TOKEN, METRICS_PORT: String(port), HOST: '127.0.0.1' },
    });
  });
  afterAll(() => t?.close());

  it('is not served on the API port when METRICS_PORT is set', async () => {
    expect(
      (await t.get('/metrics', { headers: { authorization: `Bearer ${TOKEN}` } })).statusCode,
    ).toBe(404);
  });

  it('is served on METRICS_PORT, to the token only', async () => {
    const url = `http://127.0.0.1:${port}/metrics`;
    expect((await fetch(url)).status).toBe(401);
    expect(
      (await fetch(url, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status,
    ).toBe(401);
    const ok = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toContain('text/plain');
    expect(await ok.text()).toMatch(/^# TYPE five_outbox_undispatched gauge$/m);
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
  });
});
