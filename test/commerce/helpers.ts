import type { TestApp, TestUser } from '@app/testing';

/** Commerce fixtures over HTTP: a product with stock, a checkout of a cart. */
export async function newProduct(
  t: TestApp,
  admin: TestUser,
  opts: { price?: number; stock?: number; name?: string; categoryId?: string } = {},
) {
  const sku = `SKU-${Math.random().toString(36).slice(2, 10).toUpperCase()}`;
  const res = await t.post(
    '/v1/commerce/products',
    {
      sku,
      name: opts.name ?? `Product ${sku}`,
      description: 'A fine thing',
      price: opts.price ?? 1500,
      currency: 'EUR',
      categoryId: opts.categoryId,
    },
    { token: admin.accessToken },
  );
  if (res.statusCode !== 201) throw new Error(`create product: ${res.statusCode} ${res.body}`);
  const product = res.json() as { id: string; sku: string; price: number };
  if (opts.stock !== undefined) {
    const stock = await t.request(
      'PUT',
      `/v1/commerce/inventory/${sku}`,
      { onHand: opts.stock },
      { token: admin.accessToken },
    );
    if (stock.statusCode !== 200) throw new Error(`set stock: ${stock.statusCode} ${stock.body}`);
  }
  return product;
}

export async function checkout(
  t: TestApp,
  user: TestUser,
  cardToken: string,
  items: { productId: string; quantity: number }[],
  key = `order-${Math.random()}`,
) {
  for (const item of items) {
    const res = await t.post('/v1/commerce/cart/items', item, { token: user.accessToken });
    if (res.statusCode !== 200) throw new Error(`add to cart: ${res.statusCode} ${res.body}`);
  }
  return t.post(
    '/v1/commerce/orders',
    { cardToken },
    { token: user.accessToken, headers: { 'idempotency-key': key } },
  );
}
