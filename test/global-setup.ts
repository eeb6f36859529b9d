import 'reflect-metadata';
import { loadConfig } from '@app/platform';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { CONTEXTS } from '../src/contexts.js';
import { dataSourceOptions } from '../src/database.js';
import { admin, databaseUrl, TEMPLATE_DB, TEST_DB_PREFIX } from '../libs/testing/database.js';

/**
 * Once per `npm test`: generate this run's secrets, migrate a template database that every test
 * file clones (`CREATE DATABASE … TEMPLATE`), and drop databases a crashed run left behind.
 */
export default async function setup(): Promise<() => void> {
  // The run's secrets (JWT_SECRET, vault keys, …): random, generated here once into a DATA_DIR
  // of the run's own, which every test worker inherits — so every app of the run, in any file,
  // shares one set, and nothing reads or writes an installation's `.data/`.
  const dataDir = mkdtempSync(join(tmpdir(), 'fb-test-run-'));
  process.env.DATA_DIR = dataDir;
  const env = { NODE_ENV: 'test', DATA_DIR: dataDir } as const;
  loadConfig(env, CONTEXTS);

  const stale = await admin<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE $1`,
    [`${TEST_DB_PREFIX}%`],
  );
  for (const { datname } of stale) await admin(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  await admin(`CREATE DATABASE "${TEMPLATE_DB}"`);
  const dataSource = new DataSource(
    dataSourceOptions(
      loadConfig({ ...env, DATABASE_URL: databaseUrl(TEMPLATE_DB), MIGRATIONS_RUN: 'false' }, []),
    ),
  );
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await dataSource.destroy();
  }
  return () => rmSync(dataDir, { recursive: true, force: true });
}
