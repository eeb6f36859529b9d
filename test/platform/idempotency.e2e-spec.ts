import { Body, Controller, Module, Post } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { IsInt, IsString, Min } from 'class-validator';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { AppError, Authenticated, Idempotent } from '@app/platform';
import { createTestApp, type TestApp, type TestUser } from '@app/testing';

class ChargeBody {
  @IsString() reference: string;
  @IsInt() @Min(1) amount: number;
}

/** Lets a test hold the first request open to observe "in flight" (`entered`: it is held). */
const gate = {
  wait: undefined as Promise<void> | undefined,
  entered: undefined as (() => void) | undefined,
};

/** Test-only endpoint whose effect is a row: counting rows counts effects. */
@Controller('test/charges')
class ChargesProbeController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Post()
  @Authenticated()
  @Idempotent()
  async create(@Body() body: ChargeBody) {
    if (gate.wait) {
      gate.entered?.();
      await gate.wait;
    }
    if (body.amount === 402)
      throw new AppError('test.card_declined', 402, 'The card was declined.');
    const id = uuidv7();
    await this.db.query(
      `INSERT INTO test_probe.charges (id, reference, amount) VALUES ($1, $2, $3)`,
      [id, body.reference, body.amount],
    );
    return { id, reference: body.reference, amount: body.amount };
  }
}

@Module({ controllers: [ChargesProbeController] })
class ChargesProbeModule {}

describe('Idempotency-Key', () => {
  let t: TestApp;
  let user: TestUser;
  const count = async (reference: string) =>
    (
      await t.dataSource.query(
        `SELECT count(*)::int AS n FROM test_probe.charges WHERE reference = $1`,
        [reference],
      )
    )[0].n as number;
  const charge = (key: string | undefined, body: object, token = user.accessToken) =>
    t.post('/test/charges', body, {
      token,
      headers: key === undefined ? {} : { 'idempotency-key': key },
    });

  beforeAll(async () => {
    t = await createTestApp({ imports: [ChargesProbeModule] });
    await t.dataSource.query(
      `CREATE SCHEMA test_probe; CREATE TABLE test_probe.charges (id uuid, reference text, amount int)`,
    );
    user = await t.newUser();
  });
  afterAll(() => t.close());

  it('requires the header on an idempotent route', async () => {
    const res = await charge(undefined, { reference: 'no-key', amount: 1 });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('platform.idempotency_key_missing');
    expect(await count('no-key')).toBe(0);
  });

  it('replays the stored response for the same key and request, with Idempotent-Replayed', async () => {
    const first = await charge('k-replay', { reference: 'replay', amount: 5 });
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const second = await charge('k-replay', { amount: 5, reference: 'replay' }); // same body, other key order
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json()).toEqual(first.json());
    expect(await count('replay')).toBe(1);
  });

  it('answers 422 when the key is reused with a different request', async () => {
    await charge('k-diff', { reference: 'diff', amount: 5 });
    const res = await charge('k-diff', { reference: 'diff', amount: 6 });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('platform.idempotency_key_reused');
    expect(await count('diff')).toBe(1);
  });

  it('answers 409 while the first request with the key is still in flight', async () => {
    let release!: () => void;
    gate.wait = new Promise((r) => (release = r));
    // The first request is in the handler (past the interceptor's claim of the key), held there.
    const held = new Promise<void>((r) => (gate.entered = r));
    const first = charge('k-inflight', { reference: 'inflight', amount: 5 });
    await held;
    const second = await charge('k-inflight', { reference: 'inflight', amount: 5 });
    gate.wait = undefined;
    gate.entered = undefined;
    release();
    expect(second.statusCode).toBe(409);
    expect(second.json().code).toBe('platform.idempotency_in_flight');
    expect(second.headers['retry-after']).toBe('1');
    expect((await first).statusCode).toBe(201);
    expect(await count('inflight')).toBe(1);
  });

  it('keeps a key for 24 hours', async () => {
    await charge('k-ttl', { reference: 'ttl', amount: 5 });
    const keys = await t.redis.keys(`${t.redisPrefix}platform:idem:*`);
    const ttls = await Promise.all(keys.map((k) => t.redis.pttl(k)));
    expect(Math.max(...ttls)).toBeGreaterThan(24 * 3600_000 - 60_000);
    expect(Math.max(...ttls)).toBeLessThanOrEqual(24 * 3600_000);
  });

  it('does not store validation failures: the same key works once the request is fixed', async () => {
    const bad = await charge('k-validation', { reference: 'validation', amount: 0 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('platform.validation_failed');
    const good = await charge('k-validation', { reference: 'validation', amount: 1 });
    expect(good.statusCode).toBe(201);
    expect(good.headers['idempotent-replayed']).toBeUndefined();
  });

  it('does not store auth failures', async () => {
    const anonymous = await t.post(
      '/test/charges',
      { reference: 'auth', amount: 1 },
      { headers: { 'idempotency-key': 'k-auth' } },
    );
    expect(anonymous.statusCode).toBe(401);
    const res = await charge('k-auth', { reference: 'auth', amount: 1 });
    expect(res.statusCode).toBe(201);
    expect(await count('auth')).toBe(1);
  });

  it('stores and replays a business error (the operation ran)', async () => {
    const first = await charge('k-declined', { reference: 'declined', amount: 402 });
    expect(first.statusCode).toBe(402);
    const second = await charge('k-declined', { reference: 'declined', amount: 402 });
    expect(second.statusCode).toBe(402);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json().code).toBe('test.card_declined');
  });

  it('scopes keys per caller: two users with the same key do not collide', async () => {
    const other = await t.newUser();
    const a = await charge('k-shared', { reference: 'scoped', amount: 1 });
    const b = await charge('k-shared', { reference: 'scoped', amount: 2 }, other.accessToken);
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect(await count('scoped')).toBe(2);
  });

  it('turns 50 concurrent requests with one key into exactly one effect', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, () => charge('k-storm', { reference: 'storm', amount: 7 })),
    );
    expect(await count('storm')).toBe(1);
    const created = results.filter((r) => r.statusCode === 201);
    const original = created.find((r) => r.headers['idempotent-replayed'] === undefined);
    expect(created.filter((r) => r.headers['idempotent-replayed'] === undefined)).toHaveLength(1);
    for (const r of results) {
      if (r.statusCode === 201) expect(r.json()).toEqual(original!.json());
      else expect(r.statusCode).toBe(409);
    }
  });
});
