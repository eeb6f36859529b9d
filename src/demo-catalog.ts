import { v7 as uuidv7 } from 'uuid';

/**
 * The demo catalog at the seed's scale: a category tree and 10,400 products with realistic names,
 * descriptions, prices and stock, so search and facets can be tried and measured. Deterministic
 * (the same SKUs, names and prices on every run) and idempotent (existing SKUs are left alone).
 * Used by `npm run seed` (src/seed.ts) and by the demo data a fresh development start loads
 * (src/demo-data.ts).
 *
 * It writes commerce's tables in bulk from the composition root, as the seed always has: 10,400
 * products through commerce's HTTP API or command handlers would be 20,800 requests (one product,
 * one stock change each) against the per-IP rate limit, minutes instead of about a second.
 */
const TREE: Record<string, Record<string, string[]>> = {
  Electronics: {
    Audio: ['Headphones', 'Earbuds', 'Speakers', 'Soundbars'],
    Computing: ['Laptops', 'Monitors', 'Keyboards', 'Mice'],
    Phones: ['Smartphones', 'Phone Cases', 'Chargers'],
  },
  Home: {
    Kitchen: ['Cookware', 'Knives', 'Small Appliances', 'Coffee'],
    Furniture: ['Chairs', 'Desks', 'Shelving'],
    Lighting: ['Desk Lamps', 'Floor Lamps', 'Smart Bulbs'],
  },
  Outdoors: {
    Camping: ['Tents', 'Sleeping Bags', 'Stoves'],
    Cycling: ['Helmets', 'Bike Lights', 'Locks'],
  },
  Fashion: {
    Footwear: ['Running Shoes', 'Boots', 'Sandals'],
    Bags: ['Backpacks', 'Totes', 'Wallets'],
  },
};
const BRANDS = [
  'Acme',
  'Nordlys',
  'Kestrel',
  'Umbra',
  'Vantage',
  'Halcyon',
  'Orbit',
  'Pinecrest',
  'Solace',
  'Tandem',
  'Quill',
  'Meridian',
];
const ADJECTIVES = [
  'Wireless',
  'Compact',
  'Pro',
  'Ultralight',
  'Classic',
  'Smart',
  'Rugged',
  'Premium',
  'Eco',
  'Foldable',
  'Heavy-Duty',
  'Minimalist',
  'Noise-Cancelling',
  'Waterproof',
];
const MATERIALS = [
  'aluminium',
  'recycled plastic',
  'oak',
  'stainless steel',
  'merino wool',
  'carbon fibre',
  'organic cotton',
  'leather',
];
const FEATURES = [
  'two-year warranty',
  'fast shipping',
  'USB-C',
  'adjustable fit',
  'dishwasher safe',
  'long battery life',
  'lightweight design',
  'modular parts',
];

function slug(s: string) {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/(^-|-$)/g, '');
}

/** Deterministic pseudo-random numbers, so every run seeds the same catalog. */
function prng(seed: number) {
  let s = seed;
  return () => (s = (s * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
}

/** What runs SQL: a DataSource, an EntityManager or a QueryRunner. */
export interface Sql {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

export interface CatalogResult {
  /** Products this run inserted (0 when the catalog was already there). */
  inserted: number;
  /** Products in the catalog afterwards (the demo's and any others). */
  total: number;
  leafCategories: number;
}

/** The demo catalog's default size: the seed's 10,400 products. */
export const DEMO_CATALOG_SIZE = 10_400;

/**
 * Inserts the category tree and the first `products` demo products (SKUs `DEMO-000000` …) with
 * their stock; a smaller `products` is the same catalog's prefix (tests use a few hundred).
 */
export async function seedCatalog(
  db: Sql,
  { products = DEMO_CATALOG_SIZE }: { products?: number } = {},
): Promise<CatalogResult> {
  const random = prng(42);
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
  const rows = async <T>(sql: string, params: unknown[]) => (await db.query(sql, params)) as T[];

  const leaves: { id: string; name: string }[] = [];
  const ensure = async (name: string, parentId: string | null, parentPath: string) => {
    const path = `${parentPath}${slug(name)}/`;
    await db.query(
      `INSERT INTO commerce.categories (id, parent_id, name, slug, path) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (slug) DO NOTHING`,
      [uuidv7(), parentId, name, slug(name), path],
    );
    const [row] = await rows<{ id: string; path: string }>(
      `SELECT id, path FROM commerce.categories WHERE slug = $1`,
      [slug(name)],
    );
    return row!;
  };
  for (const [top, subs] of Object.entries(TREE)) {
    const t = await ensure(top, null, '/');
    for (const [sub, leafNames] of Object.entries(subs)) {
      const s = await ensure(sub, t.id, t.path);
      for (const leaf of leafNames)
        leaves.push({ id: (await ensure(leaf, s.id, s.path)).id, name: leaf });
    }
  }

  const batch = 800;
  let inserted = 0;
  for (let start = 0; start < products; start += batch) {
    const chunk = Array.from({ length: Math.min(batch, products - start) }, (_, k) => {
      const n = start + k;
      const leaf = leaves[n % leaves.length]!;
      const noun = leaf.name.replace(/s$/, '');
      const name = `${pick(BRANDS)} ${pick(ADJECTIVES)} ${noun} ${100 + (n % 900)}`;
      return {
        id: uuidv7(),
        sku: `DEMO-${String(n).padStart(6, '0')}`,
        name,
        description: `${name} in ${pick(MATERIALS)}, with ${pick(FEATURES)} and ${pick(FEATURES)}.`,
        price: Math.round((5 + random() * 495) * 100) - 1,
        categoryId: leaf.id,
        stock: random() < 0.15 ? 0 : Math.floor(random() * 200),
      };
    });
    const created = await rows<unknown>(
      `INSERT INTO commerce.products (id, sku, name, description, price, currency, category_id)
       SELECT id, sku, name, description, price, 'EUR', category_id
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::uuid[]) AS r(id, sku, name, description, price, category_id)
       ON CONFLICT (sku) DO NOTHING RETURNING 1`,
      [
        chunk.map((r) => r.id),
        chunk.map((r) => r.sku),
        chunk.map((r) => r.name),
        chunk.map((r) => r.description),
        chunk.map((r) => r.price),
        chunk.map((r) => r.categoryId),
      ],
    );
    await db.query(
      `INSERT INTO commerce.inventory (sku, on_hand) SELECT * FROM unnest($1::text[], $2::int[]) ON CONFLICT (sku) DO NOTHING`,
      [chunk.map((r) => r.sku), chunk.map((r) => r.stock)],
    );
    inserted += created.length;
  }
  const [count] = await rows<{ n: number }>(`SELECT count(*)::int n FROM commerce.products`, []);
  return { inserted, total: count!.n, leafCategories: leaves.length };
}
