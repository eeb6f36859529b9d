import { ConfigError, platformMigrations } from '@app/platform';
import { createTestApp, createTestDatabase } from '@app/testing';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '../../src/app.factory.js';
import { CONTEXTS } from '../../src/contexts.js';

describe('boot', () => {
  it.each([
    ['PORT', 'not-a-port'],
    ['DATABASE_POOL_SIZE', '0'],
    ['CONTEXTS', 'identity,warehouse'],
    ['LOG_LEVEL', 'loud'],
  ])('fails fast naming %s when it is invalid', async (name, value) => {
    const boot = createApp({ ...process.env, [name]: value });
    await expect(boot).rejects.toBeInstanceOf(ConfigError);
    await expect(boot).rejects.toThrow(new RegExp(`${name}: .*\\(got "${value}"\\)`));
  });

  it('fails fast naming DATA_DIR when it cannot keep the secrets it would generate', async () => {
    // A path under a regular file: no directory can be made there (even as root).
    const boot = createApp({
      ...process.env,
      DATA_DIR: join(fileURLToPath(import.meta.url), 'data'),
    });
    await expect(boot).rejects.toBeInstanceOf(ConfigError);
    await expect(boot).rejects.toThrow(
      /DATA_DIR: cannot keep the generated secrets \(JWT_SECRET, PAYMENTS_VAULT_KEYS, PAYMENTS_VAULT_HMAC_KEY, STREAMING_PLAYBACK_SECRET, SAAS_INVOICE_LINK_SECRET\) in .*boot\.e2e-spec\.ts/,
    );
  });

  it('runs migrations at start into an empty database when MIGRATIONS_RUN is on', async () => {
    const db = await createTestDatabase();
    // Start from nothing: drop what the template brought.
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const schemas = ['platform', ...CONTEXTS.map((c) => c.schema)];
    await client.query(
      `${schemas.map((s) => `DROP SCHEMA ${s} CASCADE;`).join(' ')} DROP TABLE migrations`,
    );
    await client.end();
    const t = await createTestApp({ database: db, env: { MIGRATIONS_RUN: 'true' } });
    try {
      const rows = await t.dataSource.query(`SELECT name FROM migrations ORDER BY id`);
      // Every migration of the platform and of each context, run in timestamp order.
      const stamp = (name: string) => Number(/\d{13}$/.exec(name)![0]);
      const all = [...platformMigrations, ...CONTEXTS.flatMap((c) => c.migrations)].map(
        (m) => m.name,
      );
      expect(all).toContain('ContactVerification1796171239264');
      expect(rows.map((r: { name: string }) => r.name)).toEqual(
        all.sort((a, b) => stamp(a) - stamp(b)),
      );
      expect(
        (
          await t.post('/v1/identity/register', {
            email: 'm@example.com',
            password: 'long-enough-pw',
            displayName: 'M',
          })
        ).statusCode,
      ).toBe(201);
    } finally {
      await t.close();
      await db.drop();
    }
  });

  it('has migrations that match the entities (nothing left for migration:generate)', async () => {
    const t = await createTestApp();
    try {
      const pending = await t.dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('hosts only the contexts named in CONTEXTS', async () => {
    const t = await createTestApp({ env: { CONTEXTS: 'notifications' } });
    try {
      expect(
        (await t.post('/v1/identity/login', { email: 'a@b.co', password: 'x' })).statusCode,
      ).toBe(404);
      expect((await t.get('/health/live')).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });
});
