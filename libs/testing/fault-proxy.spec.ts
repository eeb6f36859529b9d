import { createServer, connect, type Server, type Socket } from 'node:net';
import { faults, startFaultProxy, type FaultProxy } from './fault-proxy.js';

/** The fault proxy against an echo server: each fault does what it says, and clear() heals. */
let echo: Server;
let echoPort: number;
let proxy: FaultProxy;
const echoSockets = new Set<Socket>();

beforeAll(async () => {
  echo = createServer((s) => {
    s.on('error', () => undefined);
    echoSockets.add(s);
    s.once('close', () => echoSockets.delete(s));
    s.pipe(s);
  });
  await new Promise<void>((ok) => echo.listen(0, '127.0.0.1', () => ok()));
  echoPort = (echo.address() as { port: number }).port;
  proxy = await startFaultProxy({ host: '127.0.0.1', port: echoPort });
});
afterEach(() => proxy.clear());
afterAll(async () => {
  await proxy.close();
  await new Promise((ok) => echo.close(ok));
});

function open(): Promise<Socket> {
  return new Promise((ok, fail) => {
    const s = connect({ host: '127.0.0.1', port: proxy.port }, () => ok(s));
    s.once('error', fail);
  });
}

/** Sends `text` and resolves with the echo once it is all back, or rejects on error/timeout. */
function roundTrip(s: Socket, text: string, timeoutMs = 2_000): Promise<string> {
  return new Promise((ok, fail) => {
    let got = '';
    const timer = setTimeout(() => done(new Error(`timeout after ${timeoutMs} ms`)), timeoutMs);
    const onData = (d: Buffer) => {
      got += d.toString();
      if (got.length >= text.length) done();
    };
    const onError = (err: Error) => done(err);
    const onClose = () => done(new Error('closed'));
    const done = (err?: Error) => {
      clearTimeout(timer);
      s.off('data', onData).off('error', onError).off('close', onClose);
      if (err) fail(err);
      else ok(got);
    };
    s.on('data', onData).on('error', onError).on('close', onClose);
    s.write(text);
  });
}

it('passes bytes through, and rewrites a URL to point at itself', async () => {
  const s = await open();
  expect(await roundTrip(s, 'hello')).toBe('hello');
  s.destroy();
  const p = await startFaultProxy(`postgres://u@127.0.0.1:${echoPort}/db?x=1`);
  expect(p.url).toBe(`postgres://u@127.0.0.1:${p.port}/db?x=1`);
  await p.close();
});

it('delays every chunk by at least the latency, in both directions, keeping their order', async () => {
  const s = await open();
  proxy.set(faults.latency(150));
  const started = Date.now();
  const echoed = await roundTrip(s, 'abcd');
  // Two proxy hops (there and back), each at least 150 ms.
  expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  expect(echoed).toBe('abcd');
  proxy.clear();
  expect(await roundTrip(s, 'after')).toBe('after');
  s.destroy();
});

it('resets existing and new connections (ECONNRESET), then lets new ones through after clear()', async () => {
  const s = await open();
  const reset = new Promise<string | undefined>((ok) =>
    s.once('error', (err: NodeJS.ErrnoException) => ok(err.code)),
  );
  proxy.set(faults.reset());
  expect(await reset).toBe('ECONNRESET');
  const fresh = connect({ host: '127.0.0.1', port: proxy.port });
  expect(
    await new Promise((ok) => fresh.once('error', (err: NodeJS.ErrnoException) => ok(err.code))),
  ).toBe('ECONNRESET');
  proxy.clear();
  const again = await open();
  expect(await roundTrip(again, 'back')).toBe('back');
  again.destroy();
});

it('black-holes existing and new connections (no answer, no close), and heals new ones on clear()', async () => {
  const existing = await open();
  expect(await roundTrip(existing, 'x')).toBe('x');
  proxy.set(faults.blackhole());
  await expect(roundTrip(existing, 'lost', 300)).rejects.toThrow(/timeout/);
  const fresh = await open(); // accepted…
  await expect(roundTrip(fresh, 'lost', 300)).rejects.toThrow(/timeout/); // …never answered
  proxy.clear();
  // Both lost bytes, so both are closed; a new connection works again.
  await new Promise((r) => setTimeout(r, 20));
  expect(existing.destroyed || existing.readableEnded).toBe(true);
  const again = await open();
  expect(await roundTrip(again, 'back')).toBe('back');
  again.destroy();
});

it('half-open: what is sent is never answered and the close is never passed on', async () => {
  const s = await open();
  expect(await roundTrip(s, 'x')).toBe('x');
  proxy.set(faults.halfOpen());
  await expect(roundTrip(s, 'lost', 300)).rejects.toThrow(/timeout/);
  // The echo server hangs up: the client is not told.
  let closed = false;
  s.once('close', () => (closed = true));
  for (const e of echoSockets) e.destroy();
  await new Promise((r) => setTimeout(r, 200));
  expect(echoSockets.size).toBe(0);
  expect(closed).toBe(false);
  s.destroy();
});
