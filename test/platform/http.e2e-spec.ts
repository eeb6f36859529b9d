import { Body, Controller, Get, Module, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { IsInt, IsString, Min, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { Public } from '@app/platform';
import { createTestApp, type TestApp } from '@app/testing';

class Line {
  @IsString() sku: string;
  @IsInt() @Min(1) quantity: number;
}
class ProbeBody {
  @IsString() name: string;
  @ValidateNested({ each: true }) @Type(() => Line) lines: Line[];
}

@ApiTags('platform')
@Public()
@Controller('test/http-probe')
class HttpProbeController {
  @Post('echo')
  echo(@Body() body: ProbeBody) {
    return body;
  }

  @Get('boom')
  boom(): never {
    throw new Error(
      'connection to 10.0.0.7:5432 refused; password=hunter2 at /srv/app/secret.ts:42',
    );
  }
}

@Module({ controllers: [HttpProbeController] })
class HttpProbeModule {}

describe('HTTP pipeline: validation, problem+json, request ids, rate limits, health, metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ imports: [HttpProbeModule], env: { RATE_LIMIT_PER_MINUTE: '1000' } });
  });
  afterAll(() => t.close());

  it('rejects an unknown body field with 400 problem+json naming it', async () => {
    const res = await t.post('/test/http-probe/echo', { name: 'x', lines: [], isAdmin: true });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const problem = res.json();
    expect(problem).toMatchObject({
      status: 400,
      code: 'platform.validation_failed',
      instance: '/test/http-probe/echo',
    });
    expect(problem.errors).toEqual([
      { field: 'isAdmin', messages: ['property isAdmin should not exist'] },
    ]);
    expect(problem.traceId).toBe(res.headers['x-request-id']);
  });

  it('lists nested field paths', async () => {
    const res = await t.post('/test/http-probe/echo', {
      name: 1,
      lines: [{ sku: 'a', quantity: 0 }],
    });
    expect(res.statusCode).toBe(400);
    expect(
      res
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['lines.0.quantity', 'name']);
  });

  it('answers malformed JSON with 400 problem+json', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/test/http-probe/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"name":',
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({
      code: 'platform.bad_request',
      detail: expect.stringMatching(/not valid JSON/),
    });
  });

  it('answers an unknown route with 404 problem+json', async () => {
    const res = await t.get('/v1/no/such/thing');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({
      status: 404,
      code: 'platform.not_found',
      title: 'Not Found',
    });
  });

  it('answers an internal error with 500 problem+json and leaks nothing', async () => {
    const res = await t.get('/test/http-probe/boom');
    expect(res.statusCode).toBe(500);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toEqual({
      type: '/problems/platform.internal',
      title: 'Internal Server Error',
      status: 500,
      detail: 'An unexpected error occurred.',
      code: 'platform.internal',
      instance: '/test/http-probe/boom',
      traceId: res.headers['x-request-id'],
    });
    for (const leak of ['10.0.0.7', 'hunter2', 'secret.ts', 'connection', 'stack'])
      expect(res.body).not.toContain(leak);
  });

  it('propagates a caller-supplied request id', async () => {
    const res = await t.get('/health/live', { headers: { 'x-request-id': 'req-abc-123' } });
    expect(res.headers['x-request-id']).toBe('req-abc-123');
  });

  it('sets security headers', async () => {
    const res = await t.get('/health/live');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBeDefined();
  });

  it('reports readiness of PostgreSQL, Redis and the streaming encoder', async () => {
    const res = await t.get('/health/ready');
    expect(res.statusCode).toBe(200);
    expect(res.json().info).toEqual({
      database: { status: 'up', responseTime: expect.any(Number) },
      redis: { status: 'up' },
      encoder: {
        status: 'up',
        ffmpeg: expect.stringMatching(/^ffmpeg version /),
        source: expect.stringMatching(/^(env|system|npm)$/),
        ffprobe: expect.stringMatching(/^ffprobe version /),
      },
    });
  });

  it('exposes Prometheus metrics including HTTP latency by route template', async () => {
    await t.get('/health/live');
    const res = await t.get('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(
      /five_http_request_duration_seconds_count\{service="[^"]+",method="GET",route="\/health\/live",status="200"\} \d+/,
    );
    for (const name of [
      'five_events_published_total',
      'five_events_consumed_total',
      'five_events_failed_total',
      'five_outbox_lag_seconds',
      'five_queue_depth',
    ]) {
      expect(res.body).toContain(`# TYPE ${name}`);
    }
    expect(res.body).toMatch(
      /five_queue_depth\{queue="platform.messaging-maintenance",state="waiting",service="[^"]+"\} \d+/,
    );
  });
});

describe('rate limiting (Redis-backed)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { RATE_LIMIT_PER_MINUTE: '3' } });
  });
  afterAll(() => t.close());

  it('answers 429 problem+json past the limit, shared through Redis', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 4; i++)
      codes.push(
        (await t.post('/v1/identity/login', { email: 'a@b.co', password: 'x' })).statusCode,
      );
    expect(codes).toEqual([401, 401, 401, 429]);
    const res = await t.post('/v1/identity/login', { email: 'a@b.co', password: 'x' });
    expect(res.json().code).toBe('platform.rate_limited');
    expect(await t.redis.keys(`${t.redisPrefix}platform:throttle:*`)).not.toHaveLength(0);
  });

  it('never limits health checks', async () => {
    for (let i = 0; i < 5; i++) expect((await t.get('/health/live')).statusCode).toBe(200);
  });
});
