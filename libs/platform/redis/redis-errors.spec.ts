import { Redis } from 'ioredis';
import { isRedisUnavailable } from './redis-errors.js';
import { createServer } from 'node:net';

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  const { port } = server.address() as { port: number };
  await new Promise((ok) => server.close(ok));
  return port;
}

describe('isRedisUnavailable', () => {
  it('recognises what ioredis throws when Redis is unreachable or silent', () => {
    const replyError = (message: string) =>
      Object.assign(new Error(message), { name: 'ReplyError' });
    for (const err of [
      new Error('Command timed out'),
      new Error('Connection is closed.'),
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
      new Error("Socket timeout. Expecting data, but didn't receive any in 2000ms."),
      Object.assign(new Error('Reached the max retries per request limit (which is 3).'), {
        name: 'MaxRetriesPerRequestError',
      }),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      replyError('LOADING Redis is loading the dataset in memory'),
      replyError("OOM command not allowed when used memory > 'maxmemory'."),
      new Error('wrapped', { cause: new Error('Command timed out') }),
    ])
      expect(isRedisUnavailable(err), String(err)).toBe(true);
  });

  it('leaves everything else alone (a 500 stays a 500)', () => {
    for (const err of [
      new Error('boom'),
      Object.assign(
        new Error('WRONGTYPE Operation against a key holding the wrong kind of value'),
        {
          name: 'ReplyError',
        },
      ),
      Object.assign(new Error('ERR syntax error'), { name: 'ReplyError' }),
      { code: '23505' },
      undefined,
      'Command timed out',
    ])
      expect(isRedisUnavailable(err), String(err)).toBe(false);
  });

  it('matches the errors a real ioredis client gives for a Redis that is not there', async () => {
    const port = await closedPort();
    const redis = new Redis(`redis://127.0.0.1:${port}`, {
      maxRetriesPerRequest: 1,
      retryStrategy: () => 10,
      lazyConnect: true,
    });
    redis.on('error', () => undefined);
    const err = await redis.get('k').catch((e: unknown) => e);
    redis.disconnect();
    expect(err).toBeInstanceOf(Error);
    expect(isRedisUnavailable(err)).toBe(true);

    const silent = new Redis(`redis://127.0.0.1:6379`, { commandTimeout: 50, lazyConnect: true });
    silent.on('error', () => undefined);
    // A blocking pop on a key nobody writes answers in 1 s: past the 50 ms command timeout.
    const timedOut = await silent
      .blpop(`redis-errors-spec:${Date.now()}:${Math.random()}`, 1)
      .catch((e: unknown) => e);
    silent.disconnect();
    expect(isRedisUnavailable(timedOut)).toBe(true);
  });
});
