import { Controller, Get, Ip, Module } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { connect, type AddressInfo } from 'node:net';
import { loadConfig, Public } from '@app/platform';
import { createTestApp, type TestApp } from '@app/testing';

/** What the server takes for the client's address (`request.ip`, after TRUST_PROXY). */
@ApiTags('platform')
@Public()
@Controller('test/hardening')
class ClientIpController {
  @Get('ip')
  ip(@Ip() ip: string) {
    return { ip };
  }
}

@Module({ controllers: [ClientIpController] })
class ClientIpModule {}

interface RawExchange {
  /** Everything the server wrote. */
  response: string;
  /** When the server closed the connection, ms after connecting (undefined: still open). */
  closedAfterMs?: number;
}

/**
 * One raw TCP conversation with the listening server: writes `chunks` `gapMs` apart (stopping
 * once the server closes), and gives up after `waitMs`.
 */
function exchange(
  port: number,
  chunks: string[],
  { gapMs = 0, waitMs = 3000 }: { gapMs?: number; waitMs?: number } = {},
): Promise<RawExchange> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    let response = '';
    let closed = false;
    socket.on('data', (data) => (response += data.toString('latin1')));
    socket.on('error', () => undefined); // a reset after the answer is fine
    socket.on('close', () => {
      closed = true;
      clearTimeout(giveUp);
      resolve({ response, closedAfterMs: Date.now() - started });
    });
    const giveUp = setTimeout(() => {
      socket.destroy();
      resolve({ response });
    }, waitMs);
    void (async () => {
      for (const chunk of chunks) {
        if (closed) return;
        socket.write(chunk);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
    })();
  });
}

/** Status, headers and JSON body of a raw HTTP/1.1 answer. */
function parseRaw(raw: string): {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
} {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => {
      const i = line.indexOf(':');
      return [line.slice(0, i).toLowerCase(), line.slice(i + 1).trim()];
    }),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) };
}

const json = { 'content-type': 'application/json' };
const SECRETS = ['hunter2-secret', '4242424242424242'];

describe('HTTP hardening: bounded bodies, no echo, problem+json everywhere, proxies, timeouts', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await createTestApp({
      imports: [ClientIpModule],
      env: {
        RATE_LIMIT_PER_MINUTE: '100000',
        TRUST_PROXY: '127.0.0.1,10.0.0.0/8',
        HTTP_REQUEST_TIMEOUT_MS: '1000',
        HTTP_CONNECTION_TIMEOUT_MS: '1500',
        HTTP_KEEP_ALIVE_TIMEOUT_MS: '5000',
      },
    });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(() => t.close());

  it('bounds key count and depth before validation, and caps the error list', async () => {
    const keys = (n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
    const post = (payload: string) =>
      t.app.inject({ method: 'POST', url: '/v1/identity/login', headers: json, payload });

    // The probe's body: 45 000 unknown keys took seconds to validate and answered 3.3 MB.
    const many = await post(JSON.stringify({ email: 'a@b.co', password: 'x', ...keys(45_000) }));
    expect(many.statusCode).toBe(400);
    expect(many.headers['content-type']).toContain('application/problem+json');
    expect(many.json()).toMatchObject({
      code: 'platform.body_too_complex',
      detail: expect.stringMatching(/more than 1000 keys/),
    });
    expect(many.body.length).toBeLessThan(1000);

    for (const deep of [
      '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000),
      '['.repeat(10_000) + ']'.repeat(10_000),
      '{"a":'.repeat(33) + '1' + '}'.repeat(33),
    ]) {
      const res = await post(deep);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({
        code: 'platform.body_too_complex',
        detail: expect.stringMatching(/nested deeper than 32 levels/),
      });
    }
    const wide = await post(`[${'{},'.repeat(99_999)}{}]`);
    expect(wide.json().code).toBe('platform.body_too_complex');

    // At the limits the body reaches validation, whose answer lists 20 fields and counts the rest.
    const atLimit = await post(JSON.stringify(keys(1000)));
    expect(atLimit.statusCode).toBe(400);
    const problem = atLimit.json();
    expect(problem.code).toBe('platform.validation_failed');
    expect(problem.errors).toHaveLength(20);
    expect(problem.errorsOmitted).toBe(1002 - 20); // 1000 unknown keys, email and password
    expect(problem.detail).toMatch(/ and 982 more\.$/);
    expect(atLimit.body.length).toBeLessThan(5000);
    const deepest = await post('{"a":'.repeat(32) + '1' + '}'.repeat(32));
    expect(deepest.json().code).toBe('platform.validation_failed');
    // Brackets, commas and escaped quotes inside strings are text, not structure.
    const quoted = await post(JSON.stringify({ email: 'a@b.co', password: '",{['.repeat(2000) }));
    expect(quoted.json().errors).toEqual([
      { field: 'password', messages: ['password must be shorter than or equal to 128 characters'] },
    ]);

    const large = await post(JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(1_048_576) }));
    expect(large.statusCode).toBe(413);
    expect(large.json().code).toBe('platform.payload_too_large');
  });

  it('never echoes the body, its keys or the query in an error', async () => {
    const body = JSON.stringify({
      email: 'a@b.co',
      password: SECRETS[0],
      number: SECRETS[1],
      cvc: '123',
    });
    const answers = [];
    for (const contentType of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/xml',
      'multipart/form-data; boundary=x',
    ]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/identity/login',
        headers: { 'content-type': contentType },
        payload: body,
      });
      expect(res.statusCode).toBe(415);
      expect(res.json().code).toBe('platform.unsupported_media_type');
      answers.push(res);
    }
    answers.push(
      await t.app.inject({
        method: 'POST',
        url: '/v1/identity/login',
        headers: json,
        payload: body.slice(0, -1) + ' oops',
      }),
      // Keys are echoed only when they look like field names.
      await t.post('/v1/identity/login', {
        email: 'a@b.co',
        password: 'x',
        [SECRETS[1]!]: 1,
        [`my password is ${SECRETS[0]}`]: 1,
      }),
      await t.get(`/v1/no/such/route?token=${SECRETS[0]}`),
      await t.get(`/problems/platform.x?card=${SECRETS[1]}`),
    );
    for (const res of answers) {
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(res.headers['content-type']).toContain('application/problem+json');
      for (const secret of SECRETS) expect(res.body).not.toContain(secret);
    }
    const keyed = answers.at(-3)!.json();
    expect(keyed.code).toBe('platform.validation_failed');
    expect(keyed.errors).toContainEqual({
      field: '(unreadable key)',
      messages: ['property (unreadable key) should not exist'],
    });
    expect(answers.at(-4)!.json().detail).toBe('The request body is not valid JSON.');
  });

  it('answers every error of the HTTP layer itself as problem+json with a catalogue code', async () => {
    const expectProblem = (
      status: number,
      contentType: string | undefined,
      problem: { code?: unknown; status?: unknown },
      code: string,
    ) => {
      expect({ status, contentType, code: problem.code }).toEqual({
        status: problem.status,
        contentType: expect.stringContaining('application/problem+json'),
        code,
      });
    };
    const injected: [string, string, string][] = [
      ['GET', '/v1/%zz/orders', 'platform.bad_request'], // bad percent-encoding in the path
      ['GET', `/problems/${'a'.repeat(101)}`, 'platform.uri_too_long'], // Fastify's maxParamLength
      ['GET', `/v1/commerce/products?q=${'a'.repeat(9000)}`, 'platform.uri_too_long'],
      ['GET', '/v1/no/such/route', 'platform.not_found'],
      ['DELETE', '/problems', 'platform.not_found'], // no 405s: an unknown method is an unknown route
    ];
    for (const [method, url, code] of injected) {
      const res = await t.app.inject({ method: method as 'GET', url });
      expectProblem(res.statusCode, res.headers['content-type'] as string, res.json(), code);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
    // Bad percent-encoding in the query is the field's validation error, not a 500.
    const query = await t.get('/v1/commerce/products?limit=%zz');
    expectProblem(
      query.statusCode,
      query.headers['content-type'] as string,
      query.json(),
      'platform.validation_failed',
    );

    // What Node's HTTP parser rejects before Fastify sees it, on a real socket.
    const raw: [string, string][] = [
      [
        `GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
        'platform.headers_too_large',
      ],
      [`GET /v1/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 'platform.headers_too_large'],
      ['NOT HTTP AT ALL\r\n\r\n', 'platform.bad_request'],
      ['GET /v1/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 'platform.bad_request'],
    ];
    for (const [request, code] of raw) {
      const { response } = await exchange(port, [request]);
      const answer = parseRaw(response);
      expectProblem(answer.status, answer.headers['content-type'], answer.body, code);
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
    }
    for (const code of [
      'platform.uri_too_long',
      'platform.headers_too_large',
      'platform.request_timeout',
    ])
      expect((await t.get(`/problems/${code}`)).statusCode).toBe(200);
  });

  it('believes X-Forwarded-For only from the configured proxies', async () => {
    const ipFrom = async (remoteAddress: string) =>
      (
        await t.app.inject({
          method: 'GET',
          url: '/test/hardening/ip',
          remoteAddress,
          headers: { 'x-forwarded-for': '203.0.113.9' },
        })
      ).json().ip;
    expect(await ipFrom('127.0.0.1')).toBe('203.0.113.9');
    expect(await ipFrom('10.20.30.40')).toBe('203.0.113.9');
    expect(await ipFrom('198.51.100.7')).toBe('198.51.100.7');

    const trust = (TRUST_PROXY: string) => loadConfig({ TRUST_PROXY }, []).TRUST_PROXY;
    expect(trust('true')).toBe(true);
    expect(trust('false')).toBe(false);
    expect(trust(' 10.0.0.0/8 , ::1, loopback ')).toEqual(['10.0.0.0/8', '::1', 'loopback']);
    for (const bad of ['10.0.0.0/33', 'proxy.internal', '1.2.3.4/8/8'])
      expect(() => trust(bad)).toThrow(
        /TRUST_PROXY: TRUST_PROXY must be true, false or a comma list/,
      );
  });

  it('cuts off a client that sends its headers slowly, or nothing at all', async () => {
    const slow = await exchange(
      port,
      ['GET /health/live HTTP/1.1\r\nHost: x\r\n', ...'X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'],
      { gapMs: 150, waitMs: 5000 },
    );
    // Headers due within 1 s (HTTP_REQUEST_TIMEOUT_MS); Node checks every 250 ms.
    expect(slow.closedAfterMs).toBeDefined();
    expect(slow.closedAfterMs).toBeLessThan(3000);
    const answer = parseRaw(slow.response);
    expect({ status: answer.status, code: answer.body.code }).toEqual({
      status: 408,
      code: 'platform.request_timeout',
    });
    expect(answer.headers['content-type']).toContain('application/problem+json');

    const silent = await exchange(port, [], { waitMs: 5000 });
    expect(silent.closedAfterMs).toBeDefined();
    expect(silent.closedAfterMs).toBeLessThan(3000);

    expect(t.app.getHttpServer().keepAliveTimeout).toBe(5000);
  });
});
