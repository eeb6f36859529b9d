import 'reflect-metadata';
import { loadConfig } from '@app/platform';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './src/database.js';
import { CONTEXTS } from './src/contexts.js';

/**
 * The DataSource for the TypeORM CLI: `npm run migration:generate -- src/<context>/migrations/<Name>`,
 * `npm run migration:run`. The server builds the same options from src/database.ts.
 */
export default new DataSource(
  dataSourceOptions(loadConfig({ ...process.env, MIGRATIONS_RUN: 'false' }, CONTEXTS)),
);
