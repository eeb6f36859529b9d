import type { Type } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { ContextRedis, ContextRedisModule } from '@app/platform';
import { createTestApp, settled, type TestApp, type TestUser } from '@app/testing';
import { CommerceModule } from '../../src/commerce/commerce.module.js';
import { PaymentsModule } from '../../src/payments/payments.module.js';
import { newProduct } from '../commerce/helpers.js';
import { vaultCard } from '../payments/helpers.js';

/**
 * The real contexts' Redis clients (test/architecture checks statically that context code gets
 * no other): every key a context writes lands under `<REDIS_PREFIX><context>:`, whatever the
 * key says, scripts' KEYS included.
 */
describe('context Redis: a context writes only under <REDIS_PREFIX><context>:', () => {
  let t: TestApp;
  let admin: TestUser;

  const appKeys = async () => {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await t.redis.scan(cursor, 'MATCH', `${t.redisPrefix}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    return keys.map((k) => k.slice(t.redisPrefix.length));
  };

  /**
   * The ContextRedis a context module's providers are injected with: the one of the
   * ContextRedisModule it imports (`app.select(M).get(ContextRedis)` may answer another
   * module's instance, as it searches the whole container for a provider M does not declare).
   */
  const contextRedisOf = (module: Type): ContextRedis[] => {
    const host = [...t.app.get(ModulesContainer).values()].find((m) => m.metatype === module);
    if (!host) throw new Error(`${module.name} is not in the app`);
    return [...host.imports]
      .filter((m) => m.metatype === ContextRedisModule)
      .flatMap((m) => [...m.providers.values()])
      .map((w) => w.instance)
      .filter((i): i is ContextRedis => i instanceof ContextRedis);
  };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.newUser({ roles: ['customer', 'admin'] });
  });
  afterAll(() => t.close());

  it.each([
    ['commerce', CommerceModule],
    ['payments', PaymentsModule],
  ] as [string, Type][])('%s: its client prefixes every key it writes', async (name, module) => {
    const clients = contextRedisOf(module);
    expect(clients).toHaveLength(1);
    const redis = clients[0]!;
    expect(redis.prefix).toBe(`${t.redisPrefix}${name}:`);
    await redis.client.set(redis.key('probe', 1), 'v');
    // A key that names another space, and a script's KEYS, land in its own space all the same.
    await redis.client.set('identity:probe', 'sneaky');
    await redis.client.eval(`return redis.call('SET', KEYS[1], ARGV[1])`, 1, 'lua-probe', 'v');
    expect(await t.redis.get(`${t.redisPrefix}${name}:probe:1`)).toBe('v');
    expect(await t.redis.get(`${t.redisPrefix}identity:probe`)).toBeNull();
    expect(await t.redis.get(`${t.redisPrefix}${name}:identity:probe`)).toBe('sneaky');
    expect(await t.redis.get(`${t.redisPrefix}lua-probe`)).toBeNull();
    expect(await t.redis.get(`${t.redisPrefix}${name}:lua-probe`)).toBe('v');
    expect(await redis.client.get(redis.key('probe', 1))).toBe('v');
  });

  it('after real traffic, every key is in a context’s, the platform’s or BullMQ’s space', async () => {
    const buyer = await t.newUser();
    const product = await newProduct(t, admin, { price: 1200, stock: 3 });
    for (let i = 0; i < 2; i++)
      expect((await t.get(`/v1/commerce/products/${product.id}`)).statusCode).toBe(200);
    const card = await vaultCard(t, buyer);
    const account = (
      await t.post('/v1/payments/accounts', { currency: 'EUR' }, { token: buyer.accessToken })
    ).json();
    const topUp = await t.post(
      `/v1/payments/accounts/${account.id}/top-ups`,
      { cardToken: card.token, amount: 1500 },
      { token: buyer.accessToken, headers: { 'idempotency-key': 'context-redis-1' } },
    );
    expect(topUp.json().status).toBe('COMPLETED');
    await settled(t);

    const keys = await appKeys();
    const spaces = new Set(keys.map((k) => k.split(':')[0]));
    // The product cache (commerce) and the fraud windows / sandbox books (payments) were written…
    expect(keys).toContain(`commerce:product:${product.id}`);
    expect(keys.filter((k) => k.includes(`product:${product.id}`))).toEqual([
      `commerce:product:${product.id}`,
    ]);
    expect(keys.some((k) => k.startsWith('payments:'))).toBe(true);
    expect(
      keys.filter((k) => k.startsWith('payments:commerce:') || k.startsWith('commerce:payments:')),
    ).toEqual([]);
    // …and nothing anywhere else.
    expect(
      [...spaces].filter(
        (s) =>
          !['commerce', 'payments', 'identity', 'notifications', 'platform', 'bull'].includes(s),
      ),
    ).toEqual([]);
  });
});
