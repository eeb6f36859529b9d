import 'reflect-metadata';
import { ConfigError, loadConfig } from '@app/platform';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './database.js';
import { CONTEXTS } from './contexts.js';
import { seedCatalog } from './demo-catalog.js';

/**
 * `npm run seed` — runs pending migrations, then loads the demo catalog (src/demo-catalog.ts:
 * 10,400 products in a category tree, with stock). Idempotent: SKUs are deterministic and
 * existing ones are left alone. A fresh development start loads it too (src/demo-data.ts), with
 * the demo users; this command is the catalog alone, in any mode.
 */
async function main() {
  const config = loadConfig(process.env, CONTEXTS);
  const db = new DataSource({ ...dataSourceOptions(config), migrationsRun: false });
  await db.initialize();
  try {
    await db.runMigrations({ transaction: 'each' });
    const { inserted, total, leafCategories } = await seedCatalog(db);
    console.log(
      `seeded ${inserted} new products (${total} in the catalog) in ${leafCategories} leaf categories`,
    );
  } finally {
    await db.destroy();
  }
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
