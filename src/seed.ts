import 'reflect-metadata';
import { ConfigError, loadConfig } from '@app/platform';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { dataSourceOptions } from './database.js';
import { CONTEXTS } from './contexts.js';

/**
 * `npm run seed` — a demo catalog at the seed's scale: a category tree and 10,000+ products with
 * realistic names, descriptions, prices and stock, so search and facets can be tried and
 * measured. Idempotent: SKUs are deterministic and existing ones are left alone.
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

async function main() {
  const config = loadConfig(process.env, CONTEXTS);
  const db = new DataSource({ ...dataSourceOptions(config), migrationsRun: false });
  await db.initialize();
  await db.runMigrations({ transaction: 'each' });
  const random = prng(42);
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;

  const leaves: { id: string; name: string }[] = [];
  const ensure = async (name: string, parentId: string | null, parentPath: string) => {
    const path = `${parentPath}${slug(name)}/`;
    await db.query(
      `INSERT INTO commerce.categories (id, parent_id, name, slug, path) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (slug) DO NOTHING`,
      [uuidv7(), parentId, name, slug(name), path],
    );
    const [row] = await db.query(`SELECT id, path FROM commerce.categories WHERE slug = $1`, [
      slug(name),
    ]);
    return row as { id: string; path: string };
  };
  for (const [top, subs] of Object.entries(TREE)) {
    const t = await ensure(top, null, '/');
    for (const [sub, leafNames] of Object.entries(subs)) {
      const s = await ensure(sub, t.id, t.path);
      for (const leaf of leafNames)
        leaves.push({ id: (await ensure(leaf, s.id, s.path)).id, name: leaf });
    }
  }

  const total = 10_400;
  const batch = 800;
  let inserted = 0;
  for (let start = 0; start < total; start += batch) {
    const rows = Array.from({ length: Math.min(batch, total - start) }, (_, k) => {
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
    const created = (await db.query(
      `INSERT INTO commerce.products (id, sku, name, description, price, currency, category_id)
       SELECT id, sku, name, description, price, 'EUR', category_id
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::uuid[]) AS r(id, sku, name, description, price, category_id)
       ON CONFLICT (sku) DO NOTHING RETURNING 1`,
      [
        rows.map((r) => r.id),
        rows.map((r) => r.sku),
        rows.map((r) => r.name),
        rows.map((r) => r.description),
        rows.map((r) => r.price),
        rows.map((r) => r.categoryId),
      ],
    )) as unknown[];
    await db.query(
      `INSERT INTO commerce.inventory (sku, on_hand) SELECT * FROM unnest($1::text[], $2::int[]) ON CONFLICT (sku) DO NOTHING`,
      [rows.map((r) => r.sku), rows.map((r) => r.stock)],
    );
    inserted += created.length;
  }
  const [{ n }] = await db.query(`SELECT count(*)::int n FROM commerce.products`);
  console.log(
    `seeded ${inserted} new products (${n} in the catalog) in ${leaves.length} leaf categories`,
  );
  await db.destroy();
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
