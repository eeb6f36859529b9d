import { loadConfig } from '@app/platform';
import pg from 'pg';
import { randomBytes } from 'node:crypto';

export const TEMPLATE_DB = 'fb_test_template';
export const TEST_DB_PREFIX = 'fb_test_';

/** The server the tests use: DATABASE_URL, or the documented default. */
export function baseDatabaseUrl(): string {
  return loadConfig(process.env, []).DATABASE_URL;
}

export function databaseUrl(name: string): string {
  const url = new URL(baseDatabaseUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs one statement against the server's maintenance database. */
export async function admin<T extends pg.QueryResultRow = pg.QueryResultRow>(
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: baseDatabaseUrl() });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh database cloned from the migrated template (milliseconds, not a migration run). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = TEST_DB_PREFIX + randomBytes(6).toString('hex');
  // CREATE DATABASE … TEMPLATE fails if anyone is connected to the template; retry briefly.
  for (let attempt = 1; ; attempt++) {
    try {
      await admin(`CREATE DATABASE "${name}" TEMPLATE "${TEMPLATE_DB}"`);
      break;
    } catch (err) {
      if (attempt >= 20 || !/being accessed by other users/.test(String(err))) throw err;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
  return {
    name,
    url: databaseUrl(name),
    drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).then(() => undefined),
  };
}
