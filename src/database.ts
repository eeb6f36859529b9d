import { platformEntities, platformMigrations, type AppConfig } from '@app/platform';
import pg from 'pg';
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
    // Bounded waits, so a lost, stalled or black-holed PostgreSQL answers a request 503 instead
    // of hanging it: a pool slot or a new connection within DATABASE_CONNECT_TIMEOUT_MS; a
    // statement cancelled by the server after DATABASE_STATEMENT_TIMEOUT_MS (set once per
    // connection at its start, no per-query cost), and given up by the client 1 s later when
    // the server never answers at all (`query_timeout`; the connection is then dropped).
    connectTimeoutMS: config.DATABASE_CONNECT_TIMEOUT_MS,
    extra: {
      application_name: 'five-businesses',
      // No parallel query on the app's connections: its statements are short and many at once,
      // and a Gather launches worker processes per execution (≈ 20 ms here, and a core each) —
      // a 50-match catalogue search took 29 ms with one worker, 1 ms without, once the table
      // passed min_parallel_table_scan_size (scale series S1). Reports may set it per session.
      options: '-c max_parallel_workers_per_gather=0',
      statement_timeout: config.DATABASE_STATEMENT_TIMEOUT_MS,
      query_timeout: config.DATABASE_STATEMENT_TIMEOUT_MS + 1_000,
      // The kernel notices a peer that vanished without a FIN (half-open) on an idle connection.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      Client: DeadlineClient,
    },
    // Off: TypeORM's logger prints failed queries with their parameters (password hashes,
    // tokens). Failures surface as exceptions and are logged, without parameters, where handled.
    logging: false,
  };
}

/**
 * node-postgres's client, except that a query given up by `query_timeout` closes its
 * connection: pg leaves the unanswered query active on it, so the pool would hand out a
 * connection whose next statements wait behind it (or, once a late answer arrives, run inside
 * that abandoned transaction). Closed, the pool drops it and connects afresh.
 */
class DeadlineClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    const query = this.query.bind(this) as (...args: unknown[]) => unknown;
    this.query = ((...args: unknown[]) => {
      const result = query(...args);
      if (result instanceof Promise)
        result.catch((err: unknown) => {
          if ((err as Error | undefined)?.message === 'Query read timeout') this.dropConnection();
        });
      return result;
    }) as pg.Client['query'];
  }

  private dropConnection(): void {
    (
      this as unknown as { connection?: { stream?: { destroy(): void } } }
    ).connection?.stream?.destroy();
  }
}
