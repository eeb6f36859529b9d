import 'reflect-metadata';
import { ConfigError, loadConfig, SiloDatabases } from '@app/platform';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './database.js';
import { CONTEXTS } from './contexts.js';
import { SaasTenantData1796500000100 } from './saas/migrations/1796500000100-SaasTenantData.js';

/**
 * The second half of `npm run migration:run`: after the platform database, every silo tenant's
 * database, to the same version (boot does the same when MIGRATIONS_RUN). A silo that fails is
 * reported, the others are still migrated, and the command exits 1 naming it.
 */
async function main() {
  const config = loadConfig(process.env, CONTEXTS);
  const db = new DataSource({ ...dataSourceOptions(config), migrationsRun: false });
  await db.initialize();
  const silos = new SiloDatabases(db);
  silos.useMigrations([SaasTenantData1796500000100]);
  const failed: string[] = [];
  try {
    const rows = await db.query<{ database: string }[]>(
      `SELECT database FROM saas.tenants WHERE database IS NOT NULL ORDER BY database`,
    );
    for (const { database } of rows) {
      try {
        const ran = await silos.migrate(database);
        console.log(`silo ${database}: ${ran} migration(s) ran`);
      } catch (err) {
        failed.push(database);
        console.error(`silo ${database} failed: ${(err as Error).message}`);
      }
    }
  } finally {
    await silos.onApplicationShutdown();
    await db.destroy();
  }
  if (failed.length > 0)
    throw new Error(`${failed.length} silo(s) not migrated: ${failed.join(', ')}`);
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : (err as Error).message);
  process.exit(1);
});
