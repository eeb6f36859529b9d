import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Tenancy, type TenantDirectory, type TenantRecord } from '@app/platform';
import { DataSource } from 'typeorm';
import { SaasTenantData1796500000100 } from '../migrations/1796500000100-SaasTenantData.js';
import { PLANS } from '../plans.js';
import { SaasConfig } from '../saas.config.js';
import type { TenantRow } from './tenant.entity.js';

export function toTenantRecord(row: TenantRow, rateMultiplier = 1): TenantRecord {
  const plan = PLANS[row.plan];
  return {
    id: row.id,
    slug: row.slug,
    status: row.status,
    isolation: row.isolation,
    plan: row.plan,
    limits: {
      requestsPerMinute: plan.requestsPerMinute * rateMultiplier,
      apiCallsPerMonth: plan.apiCallsPerMonth,
    },
    database: row.database,
  };
}

/**
 * The platform's view of saas's tenants (the Tenant Config DB): the TenantGuard resolves and
 * checks requests through it and TenantTransactions routes them. It reads as the tables' owner
 * (the directory works across tenants, before any tenant is known).
 */
@Injectable()
export class SaasTenantDirectory implements TenantDirectory, OnModuleInit {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tenancy: Tenancy,
    private readonly config: SaasConfig,
  ) {}

  onModuleInit(): void {
    this.tenancy.configure({
      directory: this,
      baseHost: this.config.SAAS_BASE_HOST,
      cacheMs: this.config.SAAS_TENANT_CACHE_MS,
      tenantDataMigrations: [SaasTenantData1796500000100],
    });
  }

  async find(key: { id: string } | { slug: string }): Promise<TenantRecord | null> {
    const [row] = await this.db.query<TenantRow[]>(
      'id' in key
        ? `SELECT * FROM saas.tenants WHERE id = $1`
        : `SELECT * FROM saas.tenants WHERE slug = $1`,
      ['id' in key ? key.id : key.slug],
    );
    return row ? toTenantRecord(row, this.config.SAAS_RATE_LIMIT_MULTIPLIER) : null;
  }

  async roleOf(tenantId: string, userId: string): Promise<string | null> {
    const [row] = await this.db.query<{ role: string }[]>(
      `SELECT role FROM saas.members WHERE tenant_id = $1 AND user_id = $2`,
      [tenantId, userId],
    );
    return row?.role ?? null;
  }

  async silos(): Promise<TenantRecord[]> {
    const rows = await this.db.query<TenantRow[]>(
      `SELECT * FROM saas.tenants WHERE database IS NOT NULL ORDER BY id`,
    );
    return rows.map((r) => toTenantRecord(r, this.config.SAAS_RATE_LIMIT_MULTIPLIER));
  }
}
