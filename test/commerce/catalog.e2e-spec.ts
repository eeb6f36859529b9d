import { createTestApp, type TestApp, type TestUser } from '@app/testing';
import { newProduct } from './helpers.js';

describe('commerce: catalog, search with facets, product cache', () => {
  let t: TestApp;
  let admin: TestUser;
  const cats: Record<string, string> = {};

  const category = async (name: string, slug: string, parentId?: string) =>
    (
      await t.post(
        '/v1/commerce/categories',
        { name, slug, parentId },
        { token: admin.accessToken },
      )
    ).json().id as string;
  const product = (
    name: string,
    description: string,
    price: number,
    categoryId: string,
    stock = 5,
  ) =>
    t
      .post(
        '/v1/commerce/products',
        {
          sku: `S-${Math.random().toString(36).slice(2, 9)}`,
          name,
          description,
          price,
          currency: 'EUR',
          categoryId,
        },
        { token: admin.accessToken },
      )
      .then(async (r) => {
        const p = r.json();
        await t.request(
          'PUT',
          `/v1/commerce/inventory/${p.sku}`,
          { onHand: stock },
          { token: admin.accessToken },
        );
        return p;
      });

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.newUser({ roles: ['customer', 'admin'] });
    cats.electronics = await category('Electronics', 'electronics');
    cats.audio = await category('Audio', 'audio', cats.electronics);
    cats.headphones = await category('Headphones', 'headphones', cats.audio);
    cats.kitchen = await category('Kitchen', 'kitchen');
    await product('Wireless Headphones Pro', 'Noise cancelling over-ear', 19_900, cats.headphones);
    await product('Wireless Headphones Lite', 'Light and cheap', 4_900, cats.headphones, 0);
    await product(
      'Studio Monitor Speaker',
      'Pairs well with wireless headphones',
      29_900,
      cats.audio,
    );
    await product('Wired Earbuds', 'Basic', 1_500, cats.headphones);
    await product('Wireless Kettle', 'Cordless base', 3_900, cats.kitchen);
    await product('Chef Knife', 'Forged steel', 8_900, cats.kitchen);
  });
  afterAll(() => t.close());

  it('ranks name matches above description matches, with prefix terms', async () => {
    const res = await t.get('/v1/commerce/products?q=wirel%20headph');
    expect(res.statusCode).toBe(200);
    const names = res.json().items.map((i: { name: string }) => i.name);
    expect(names.slice(0, 2).sort()).toEqual([
      'Wireless Headphones Lite',
      'Wireless Headphones Pro',
    ]);
    expect(names[2]).toBe('Studio Monitor Speaker');
    expect(names).not.toContain('Wireless Kettle');
    const ranks = res.json().items.map((i: { rank: number }) => i.rank);
    expect([...ranks].sort((a, b) => b - a)).toEqual(ranks);
  });

  it('filters by category subtree, price range and stock; facet counts match SQL', async () => {
    const url = `/v1/commerce/products?q=wireless&categoryId=${cats.electronics}&minPrice=1000&maxPrice=25000&inStock=true`;
    const body = (await t.get(url)).json();
    expect(body.items.map((i: { name: string }) => i.name)).toEqual(['Wireless Headphones Pro']);
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int n FROM commerce.products p JOIN commerce.inventory i ON i.sku = p.sku
        WHERE p.search @@ to_tsquery('english', 'wireless:*') AND p.price BETWEEN 1000 AND 25000 AND i.on_hand - i.reserved > 0
          AND p.category_id IN (SELECT id FROM commerce.categories WHERE path LIKE '/electronics/%')`,
    );
    expect(body.facets.total).toBe(n);
    expect(body.facets.categories).toEqual([
      { categoryId: cats.headphones, name: 'Headphones', count: 1 },
    ]);

    const wide = (await t.get('/v1/commerce/products?q=wireless')).json();
    const byCategory = await t.dataSource.query(
      `SELECT category_id, count(*)::int AS count FROM commerce.products WHERE search @@ to_tsquery('english', 'wireless:*') GROUP BY category_id`,
    );
    expect(
      wide.facets.categories
        .map((c: { categoryId: string; count: number }) => ({
          category_id: c.categoryId,
          count: c.count,
        }))
        .sort((a: any, b: any) => a.category_id.localeCompare(b.category_id)),
    ).toEqual(byCategory.sort((a: any, b: any) => a.category_id.localeCompare(b.category_id)));
    const buckets = wide.facets.price;
    expect(buckets.reduce((s: number, b: { count: number }) => s + b.count, 0)).toBe(
      wide.facets.total,
    );
    expect(buckets.find((b: { min: number }) => b.min === 1000).count).toBe(2); // Lite 4,900 + Kettle 3,900
  });

  it('pages with a cursor without repeating or skipping', async () => {
    const first = (await t.get('/v1/commerce/products?limit=4')).json();
    expect(first.items).toHaveLength(4);
    const second = (await t.get(`/v1/commerce/products?limit=4&cursor=${first.nextCursor}`)).json();
    const ids = [...first.items, ...second.items].map((i: { id: string }) => i.id);
    expect(new Set(ids).size).toBe(6);
    expect(second.nextCursor).toBeNull();
  });

  it('serves detail from the cache and never stale after an update', async () => {
    const p = await newProduct(t, admin, { price: 1000, name: 'Cached Lamp' });
    expect((await t.get(`/v1/commerce/products/${p.id}`)).json().price).toBe(1000);
    expect(await t.redis.exists(`${t.redisPrefix}commerce:product:${p.id}`)).toBe(1);
    const patched = await t.request(
      'PATCH',
      `/v1/commerce/products/${p.id}`,
      { price: 1250, name: 'Cached Lamp v2' },
      { token: admin.accessToken },
    );
    expect(patched.statusCode).toBe(200);
    const fresh = (await t.get(`/v1/commerce/products/${p.id}`)).json();
    expect(fresh).toMatchObject({ price: 1250, name: 'Cached Lamp v2', version: 2 });
    // And search sees the new name at once (the tsvector is kept by a trigger).
    expect(
      (await t.get('/v1/commerce/products?q=lamp%20v2'))
        .json()
        .items.map((i: { id: string }) => i.id),
    ).toEqual([p.id]);
  });

  it('is admin-only for writes and validates input', async () => {
    const customer = await t.newUser();
    expect(
      (
        await t.post(
          '/v1/commerce/products',
          { sku: 'X1', name: 'x', description: '', price: 1, currency: 'EUR' },
          { token: customer.accessToken },
        )
      ).statusCode,
    ).toBe(403);
    const bad = await t.post(
      '/v1/commerce/products',
      { sku: 'bad sku', name: '', description: '', price: -1, currency: 'euro' },
      { token: admin.accessToken },
    );
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['currency', 'name', 'price', 'sku']);
  });

  it('enforces the documented input limits: path SKU, price bounds, attributes, path ids', async () => {
    const fieldsOf = (res: { json: () => { errors?: { field: string }[] } }) =>
      (res.json().errors ?? []).map((e) => e.field).sort();
    const badSku = await t.get(`/v1/commerce/inventory/${'A'.repeat(65)}`);
    expect(badSku.statusCode).toBe(400);
    expect(fieldsOf(badSku)).toEqual(['sku']);
    const badPrices = await t.get('/v1/commerce/products?minPrice=-1&maxPrice=100000001');
    expect(badPrices.statusCode).toBe(400);
    expect(fieldsOf(badPrices)).toEqual(['maxPrice', 'minPrice']);
    const attributes = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]));
    const tooMany = await t.post(
      '/v1/commerce/products',
      { sku: 'ATTR-1', name: 'x', description: '', price: 1, currency: 'EUR', attributes },
      { token: admin.accessToken },
    );
    expect(tooMany.statusCode).toBe(400);
    expect(fieldsOf(tooMany)).toEqual(['attributes']);
    const badId = await t.get('/v1/commerce/products/not-a-uuid');
    expect(badId.statusCode).toBe(400);
    expect(badId.json().code).toBe('platform.bad_request');
  });
});
