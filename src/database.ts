import { platformEntities, platformMigrations, type AppConfig } from '@app/platform';
import type { DataSourceOptions } from 'typeorm';
import { CONTEXTS } from './contexts.js';

/**
 * The one DataSource definition, used by the server and (through ormconfig.ts) by the TypeORM
 * CLI: the platform's entities and migrations, then every context's (hosted here or not — one
 * database holds every schema; a context moved to its own database keeps only its own).
 */
export function dataSourceOptions(config: AppConfig): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.DATABASE_URL,
    entities: [...platformEntities, ...CONTEXTS.flatMap((c) => c.entities)],
    migrations: [...platformMigrations, ...CONTEXTS.flatMap((c) => c.migrations)],
    migrationsTableName: 'migrations',
    migrationsRun: config.MIGRATIONS_RUN,
    migrationsTransactionMode: 'each',
    synchronize: false,
    poolSize: config.DATABASE_POOL_SIZE,
    // Bounded waits, so a lost or stalled PostgreSQL answers a request 503 instead of hanging
    // it: a new connection (or a free pool slot) within 5 s, a statement within 15 s (set once
    // per connection at its start, no per-query cost).
    connectTimeoutMS: 5_000,
    extra: { application_name: 'five-businesses', statement_timeout: 15_000 },
    // Off: TypeORM's logger prints failed queries with their parameters (password hashes,
    // tokens). Failures surface as exceptions and are logged, without parameters, where handled.
    logging: false,
  };
}
