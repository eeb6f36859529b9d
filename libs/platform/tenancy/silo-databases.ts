import { Injectable, Logger, OnApplicationShutdown, type Type } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';

/** Silo database names: lower-case letters, digits and `_`, so they never need quoting. */
const DATABASE_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/** Connections per silo database and process (a silo serves one tenant). */
const SILO_POOL_SIZE = 4;

/**
 * The silo tenants' own databases, on the platform's PostgreSQL server: created and migrated at
 * provisioning, migrated again at every boot (to the same version as the platform's), one small
 * connection pool each, opened on first use and closed at shutdown. They hold only the tenant's
 * data tables (the migrations the tenant-defining context registers), under the same RLS as the
 * pool's, so a silo query runs exactly as a pool query does.
 */
@Injectable()
export class SiloDatabases implements OnApplicationShutdown {
  private readonly logger = new Logger(SiloDatabases.name);
  private readonly open = new Map<string, Promise<DataSource>>();
  private migrations: readonly Type[] = [];

  constructor(@InjectDataSource() private readonly platform: DataSource) {}

  useMigrations(migrations: readonly Type[]): void {
    this.migrations = migrations;
  }

  /** Creates the database and migrates it. */
  async create(name: string): Promise<void> {
    assertName(name);
    const [exists] = await this.platform.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [
      name,
    ]);
    if (!exists) await this.platform.query(`CREATE DATABASE ${name}`);
    await this.migrate(name);
  }

  /** Runs the tenant-data migrations it lacks; returns how many ran. */
  async migrate(name: string): Promise<number> {
    const ds = await this.get(name);
    const ran = await ds.runMigrations({ transaction: 'each' });
    if (ran.length > 0)
      this.logger.log({ database: name, migrations: ran.length }, 'silo migrated');
    return ran.length;
  }

  /** Closes its pool and drops the database (a tenant demoted or deleted, a test's cleanup). */
  async drop(name: string): Promise<void> {
    assertName(name);
    await this.close(name);
    await this.platform.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }

  /** The silo's DataSource, connected on first use. */
  get(name: string): Promise<DataSource> {
    assertName(name);
    let ds = this.open.get(name);
    if (!ds) {
      ds = new DataSource(this.optionsFor(name)).initialize();
      ds.catch(() => this.open.delete(name));
      this.open.set(name, ds);
    }
    return ds;
  }

  async close(name: string): Promise<void> {
    const ds = this.open.get(name);
    this.open.delete(name);
    // A pool that never connected has nothing to close; say why it never did.
    const source = await ds?.catch((err: unknown) => {
      this.logger.warn({ database: name, err: String(err) }, 'silo pool had failed to open');
      return undefined;
    });
    if (source?.isInitialized) await source.destroy();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.open.keys()].map((name) => this.close(name)));
  }

  private optionsFor(name: string): DataSourceOptions {
    const base = this.platform.options as DataSourceOptions & { url?: string };
    if (base.type !== 'postgres') throw new Error('silo databases need PostgreSQL');
    const url = new URL(base.url ?? 'postgres://127.0.0.1:5432/postgres');
    url.pathname = `/${name}`;
    return {
      ...base,
      url: url.toString(),
      database: name,
      entities: [],
      migrations: [...this.migrations],
      migrationsRun: false,
      poolSize: SILO_POOL_SIZE,
      extra: { ...(base.extra as object), application_name: `five-businesses:${name}` },
    };
  }
}

function assertName(name: string): void {
  if (!DATABASE_NAME.test(name)) throw new Error(`"${name}" is not a silo database name`);
}
