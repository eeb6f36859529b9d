import { Injectable, Logger, type Type } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BoundedMap } from '../memory/bounded-map.js';
import { SiloDatabases } from './silo-databases.js';

/** How a tenant's data is kept: rows in the shared tables under RLS, or its own database. */
export type Isolation = 'pool' | 'silo';

/** What the platform needs to know of a tenant to resolve, limit and route its requests. */
export interface TenantRecord {
  id: string;
  slug: string;
  status: 'active' | 'suspended';
  isolation: Isolation;
  plan: string;
  limits: {
    /** Token bucket per tenant and route: capacity and refill per minute. */
    requestsPerMinute: number;
    /** API calls per calendar month (UTC); null: unlimited. */
    apiCallsPerMonth: number | null;
  };
  /** Silo: its database's name, on the platform's PostgreSQL server; pool: null. */
  database: string | null;
}

/** Where tenants are defined (the saas context's Tenant Config DB provides it). */
export interface TenantDirectory {
  find(key: { id: string } | { slug: string }): Promise<TenantRecord | null>;
  /** The user's role in the tenant, or null when not a member. */
  roleOf(tenantId: string, userId: string): Promise<string | null>;
  /** Every silo tenant (boot migrates their databases). */
  silos(): Promise<TenantRecord[]>;
}

export interface TenancyOptions {
  directory: TenantDirectory;
  /**
   * Requests to `<slug>.<baseHost>` resolve that tenant before login (twenty's workspace
   * subdomains). Unset: subdomains are not looked at.
   */
  baseHost?: string;
  /**
   * How long a tenant or a membership is cached per process, ms. A change made in this process
   * applies at once (`forget`); other processes see it within this time.
   */
  cacheMs: number;
  /** The migrations of the tables a silo database holds (run at provisioning and at boot). */
  tenantDataMigrations: readonly Type[];
}

interface Cached<T> {
  value: T;
  at: number;
}

const MAX_CACHED = 10_000;

/**
 * The platform's tenant machinery, configured by the context that defines tenants (saas). Any
 * context's tenant-scoped routes (`@TenantScoped()`) and transactions (TenantTransactions) go
 * through it: lookups by id or slug and memberships, cached for `cacheMs`; and the data source a
 * tenant's transactions run on (the platform's for pool tenants, its own for silo tenants).
 */
@Injectable()
export class Tenancy {
  private readonly logger = new Logger(Tenancy.name);
  private options?: TenancyOptions;
  private readonly tenants = new BoundedMap<string, Cached<TenantRecord | null>>(MAX_CACHED);
  private readonly roles = new BoundedMap<string, Cached<string | null>>(MAX_CACHED);

  constructor(
    @InjectDataSource() readonly platformDataSource: DataSource,
    readonly silos: SiloDatabases,
  ) {}

  configure(options: TenancyOptions): void {
    this.options = options;
    this.silos.useMigrations(options.tenantDataMigrations);
  }

  get configured(): boolean {
    return this.options !== undefined;
  }

  get baseHost(): string | undefined {
    return this.options?.baseHost;
  }

  get cacheMs(): number {
    return this.options?.cacheMs ?? 0;
  }

  /** The tenant (cached), or null when there is none by that id or slug. */
  async find(key: { id: string } | { slug: string }, fresh = false): Promise<TenantRecord | null> {
    const k = 'id' in key ? `id:${key.id}` : `slug:${key.slug}`;
    const hit = this.tenants.get(k);
    if (!fresh && hit && Date.now() - hit.at < this.cacheMs) return hit.value;
    const value = await this.directory().find(key);
    this.remember(this.tenants, k, value);
    return value;
  }

  async roleOf(tenantId: string, userId: string): Promise<string | null> {
    const k = `${tenantId}:${userId}`;
    const hit = this.roles.get(k);
    if (hit && Date.now() - hit.at < this.cacheMs) return hit.value;
    const value = await this.directory().roleOf(tenantId, userId);
    this.remember(this.roles, k, value);
    return value;
  }

  /** Drops what this process cached about a tenant (after it changed here). */
  forget(tenantId: string): void {
    for (const [k, v] of this.tenants)
      if (k === `id:${tenantId}` || v.value?.id === tenantId) this.tenants.delete(k);
    for (const k of this.roles.keys()) if (k.startsWith(`${tenantId}:`)) this.roles.delete(k);
  }

  /** The database a tenant's transactions run on. A silo tenant without one fails closed. */
  async dataSourceFor(tenant: TenantRecord): Promise<DataSource> {
    if (tenant.isolation === 'pool') return this.platformDataSource;
    if (!tenant.database) throw new Error(`silo tenant ${tenant.id} has no database mapped`);
    return this.silos.get(tenant.database);
  }

  /** Migrates every silo database; one that fails is reported and the others still serve. */
  async migrateSilos(): Promise<{
    migrated: string[];
    failed: { database: string; error: string }[];
  }> {
    const silos = await this.directory().silos();
    const migrated: string[] = [];
    const failed: { database: string; error: string }[] = [];
    for (const tenant of silos) {
      if (!tenant.database) continue;
      try {
        await this.silos.migrate(tenant.database);
        migrated.push(tenant.database);
      } catch (err) {
        failed.push({ database: tenant.database, error: String((err as Error).message ?? err) });
        this.logger.error(
          { tenantId: tenant.id, database: tenant.database, err: String(err) },
          'a silo database could not be migrated; its tenant fails closed until it is',
        );
      }
    }
    return { migrated, failed };
  }

  private directory(): TenantDirectory {
    if (!this.options) throw new Error('Tenancy is not configured: no context defines tenants');
    return this.options.directory;
  }

  private remember<T>(map: Map<string, Cached<T>>, key: string, value: T): void {
    if (this.cacheMs <= 0) return;
    map.set(key, { value, at: Date.now() });
  }
}
