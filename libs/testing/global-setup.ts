import 'reflect-metadata';
import { loadConfig } from '@app/platform';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database.js';
import { admin, databaseUrl, TEMPLATE_DB, TEST_DB_PREFIX } from './database.js';

/**
 * Once per `npm test`: migrate a template database that every test file clones
 * (`CREATE DATABASE … TEMPLATE`), and drop databases a crashed run left behind.
 */
export default async function setup(): Promise<void> {
  const stale = await admin<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE $1`,
    [`${TEST_DB_PREFIX}%`],
  );
  for (const { datname } of stale) await admin(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  await admin(`CREATE DATABASE "${TEMPLATE_DB}"`);
  const dataSource = new DataSource(
    dataSourceOptions(
      loadConfig({ DATABASE_URL: databaseUrl(TEMPLATE_DB), MIGRATIONS_RUN: 'false' }, []),
    ),
  );
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await dataSource.destroy();
  }
}
