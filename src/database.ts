import { platformEntities, platformMigrations, type AppConfig } from '@app/platform';
import type { DataSourceOptions } from 'typeorm';
import { commerceEntities, commerceMigrations } from './commerce/commerce.persistence.js';
import { identityEntities, identityMigrations } from './identity/identity.persistence.js';
import {
  notificationsEntities,
  notificationsMigrations,
} from './notifications/notifications.persistence.js';
import { paymentsEntities, paymentsMigrations } from './payments/payments.persistence.js';

/**
 * The one DataSource definition, used by the server and (through ormconfig.ts) by the TypeORM
 * CLI. Each context owns a PostgreSQL schema and registers its entities and migrations here.
 */
export function dataSourceOptions(config: AppConfig): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.DATABASE_URL,
    entities: [
      ...platformEntities,
      ...identityEntities,
      ...paymentsEntities,
      ...commerceEntities,
      ...notificationsEntities,
    ],
    migrations: [
      ...platformMigrations,
      ...identityMigrations,
      ...paymentsMigrations,
      ...commerceMigrations,
      ...notificationsMigrations,
    ],
    migrationsTableName: 'migrations',
    migrationsRun: config.MIGRATIONS_RUN,
    migrationsTransactionMode: 'each',
    synchronize: false,
    poolSize: config.DATABASE_POOL_SIZE,
    extra: { application_name: 'five-businesses' },
    // Off: TypeORM's logger prints failed queries with their parameters (password hashes,
    // tokens). Failures surface as exceptions and are logged, without parameters, where handled.
    logging: false,
  };
}
