import 'reflect-metadata';
import { cruise, type IConfiguration, type IReporterOutput } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  contextDescriptorViolations,
  contextFolders,
  entitySchemaViolations,
  type ListedContext,
  migrationSchemaViolations,
  redisPrefixViolations,
  sqlSchemaViolations,
} from './rules.js';

const root = join(import.meta.dirname, '../..');
const fixtures = join(import.meta.dirname, 'fixtures');
const config = createRequire(import.meta.url)(
  join(root, '.dependency-cruiser.cjs'),
) as IConfiguration;

async function violations(baseDir: string, paths: string[]) {
  const tsConfig = extractTSConfig(join(root, 'tsconfig.json'));
  const result = (await cruise(
    paths,
    {
      ...config.options,
      baseDir,
      ruleSet: { forbidden: config.forbidden },
      validate: true,
      tsConfig: { fileName: join(root, 'tsconfig.json') },
    },
    {},
    { tsConfig },
  )) as IReporterOutput;
  const output = result.output as Exclude<IReporterOutput['output'], string>;
  const edges = output.modules.flatMap((m) =>
    m.dependencies.map((d) => `${m.source} → ${d.resolved}`),
  );
  return {
    edges,
    found: output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort(),
  };
}

/** The real descriptor list, and the fixture's (plain objects with the fields the rule reads). */
async function listed(tree: string): Promise<readonly ListedContext[]> {
  const { CONTEXTS } = (await import(join(tree, 'src/contexts.ts'))) as {
    CONTEXTS: readonly ListedContext[];
  };
  return CONTEXTS;
}

describe('architecture: import rules (dependency-cruiser)', () => {
  it('has no boundary violations in src/ and libs/', async () => {
    const { edges, found } = await violations(root, ['src', 'libs']);
    // The cruise really resolved the tree, path aliases included.
    expect(edges).toContain('src/identity/identity.context.ts → libs/platform/index.ts');
    expect(edges.length).toBeGreaterThan(100);
    expect(found).toEqual([]);
  });

  it('every rule fires on its fixture', async () => {
    const { found } = await violations(fixtures, ['src', 'libs']);
    expect(found).toEqual(
      [
        'no-cross-context: src/commerce/checkout.ts → src/payments/charge.ts',
        'context-not-into-root: src/commerce/root-import.ts → src/app.module.ts',
        'libs-not-into-src: libs/platform/leak.ts → src/commerce/checkout.ts',
        'libs-not-into-src: libs/testing/reach.ts → src/commerce/checkout.ts',
        'only-testing-boots-the-app: libs/platform/leak.ts → src/commerce/checkout.ts',
        'only-testing-boots-the-app: libs/platform/boot.ts → src/app.factory.ts',
        'contracts-are-pure: libs/contracts/order.ts → libs/platform/internal.ts',
        'libs-through-their-index: src/commerce/deep-import.ts → libs/platform/internal.ts',
        // One report per cycle; the way back (cycle-b → cycle-a) is a type-only import.
        'no-circular: src/commerce/cycle-a.ts → src/commerce/cycle-b.ts',
      ].sort(),
    );
    // …and every rule of the config has a fixture above.
    const fired = new Set(found.map((f) => f.split(':')[0]));
    expect([...fired].sort()).toEqual(config.forbidden!.map((r) => r.name).sort());
  });
});

describe('architecture: schema, SQL, Redis and descriptor rules', () => {
  // Each rule runs on the real tree (no violations, and it really scanned something) and on
  // fixtures/ (the exact violations it must report).
  it('entity-schema: every entity, in any file, declares its owner’s schema', () => {
    const { violations, scanned } = entitySchemaViolations(root);
    expect(violations).toEqual([]);
    expect(scanned.entities).toBeGreaterThanOrEqual(20);
  });

  it('entity-schema fires for a wrong, missing or unreadable schema, in any file', () => {
    expect(entitySchemaViolations(fixtures).violations).toEqual([
      "entity-schema: src/commerce/cart.entities.ts: Wallet is in schema 'payments', not 'commerce'",
      'entity-schema: src/commerce/cart.entities.ts: Wish declares no schema',
      "entity-schema: src/commerce/orders/order-model.ts: Order is in schema 'platform', not 'commerce'",
      "entity-schema: src/commerce/orders/order-model.ts: OrderLine's schema is not a string literal",
      'entity-schema: src/commerce/orders/order-model.ts: OrderTotal declares no schema',
      "entity-schema: libs/platform/platform-sql.ts: Outbox is in schema 'commerce', not 'platform'",
    ]);
  });

  it('migration-schema: migrations touch only their owner’s schema', () => {
    const { violations, scanned } = migrationSchemaViolations(root);
    expect(violations).toEqual([]);
    expect(scanned.migrations).toBeGreaterThanOrEqual(5);
    expect(scanned.statements).toBeGreaterThan(100);
  });

  it('migration-schema fires for other schemas, quoted or not', () => {
    expect(migrationSchemaViolations(fixtures).violations).toEqual([
      'migration-schema: src/commerce/migrations/1700000000000-CommerceSchema.ts: names payments.accounts',
      'migration-schema: src/commerce/migrations/1700000000000-CommerceSchema.ts: names platform.outbox',
      'migration-schema: src/commerce/migrations/1700000000000-CommerceSchema.ts: names public.users',
      'migration-schema: src/commerce/migrations/1700000000000-CommerceSchema.ts: names schema payments',
      'migration-schema: src/commerce/migrations/1700000000000-CommerceSchema.ts: names search_path payments',
    ]);
  });

  it('sql-schema: no query string names another schema', () => {
    const { violations, scanned } = sqlSchemaViolations(root);
    expect(violations).toEqual([]);
    expect(scanned.sql).toBeGreaterThan(50);
  });

  it('sql-schema fires for another schema in a query or a constant', () => {
    expect(sqlSchemaViolations(fixtures).violations).toEqual([
      'sql-schema: src/commerce/orders/order-queries.ts: names platform.outbox',
      'sql-schema: src/commerce/orders/order-queries.ts: names payments.transfers',
      'sql-schema: src/commerce/orders/order-queries.ts: names platform.outbox',
      'sql-schema: libs/platform/platform-sql.ts: names commerce.orders',
    ]);
  });

  it('redis-prefix: contexts reach Redis only through their own ContextRedis', () => {
    const { violations, scanned } = redisPrefixViolations(root);
    expect(violations).toEqual([]);
    expect(scanned.files).toBeGreaterThan(50);
    // commerce (cache, stock) and payments (fraud counters, sandbox processor) use Redis.
    expect(scanned.forContext).toBeGreaterThanOrEqual(2);
  });

  it('redis-prefix fires for the platform client, an own connection and another key space', () => {
    expect(redisPrefixViolations(fixtures).violations).toEqual([
      'redis-prefix: src/commerce/cache.ts: imports InjectRedis from the platform',
      'redis-prefix: src/commerce/cache.ts: imports REDIS from the platform',
      'redis-prefix: src/commerce/cache.ts: imports RedisKeys from the platform',
      "redis-prefix: src/commerce/cache.ts: ContextRedisModule.forContext('payments') in context 'commerce'",
      'redis-prefix: src/commerce/cache.ts: ContextRedisModule.forContext(name) is not a string literal',
      'redis-prefix: src/commerce/cache.ts: uses createRedis from the platform',
      'redis-prefix: src/commerce/cache.ts: opens its own Redis connection',
    ]);
  });

  it('context-descriptor: every folder of src/ with code is a listed context', async () => {
    const contexts = await listed(root);
    expect(contextDescriptorViolations(root, contexts).violations).toEqual([]);
    // It really looked: the folders it found are the listed contexts (at least the first four).
    expect(contextFolders(root)).toEqual(contexts.map((c) => c.name).sort());
    expect(contextFolders(root)).toEqual(
      expect.arrayContaining(['commerce', 'identity', 'notifications', 'payments']),
    );
  });

  it('context-descriptor fires for code without a descriptor and a listing without code', async () => {
    expect(contextDescriptorViolations(fixtures, await listed(fixtures)).violations).toEqual([
      'context-descriptor: src/reviews/ has no reviews.context.ts',
      'context-descriptor: src/reviews/ is not listed in CONTEXTS',
      "context-descriptor: CONTEXTS lists 'ghost', which has no src/ghost/",
    ]);
    // A folder holding only a README (src/placeholder, like src/social today) is not a context yet.
    expect(contextFolders(fixtures)).toEqual(['commerce', 'payments', 'reviews']);
  });
});
