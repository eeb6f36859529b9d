import { Logger } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { actAsTenant, SiloDatabases, Tenancy, TenantTransactions } from '@app/platform';
import { DataSource } from 'typeorm';
import { SaasConfig } from '../saas.config.js';
import { SaasError } from '../saas.error.js';
import { siloDatabaseName, type TenantRow } from './tenant.entity.js';
import { toTenantView, type TenantView } from './tenants.dto.js';

/** Tenant data tables in foreign-key order (parents first). */
const TABLES = ['saas.projects', 'saas.tasks', 'saas.comments'] as const;
/** Rows copied per statement. */
const CHUNK = 2_000;

export class PromoteTenant extends Command<TenantView> {
  constructor(readonly tenantId: string) {
    super();
  }
}

/**
 * Pool → silo (AWS's "isolate a big tenant", Citus's isolate_tenant_to_node): the tenant gets its
 * own database with its rows, under the same ids (the keys are (tenant_id, id), so nothing is
 * rewritten), and no write is lost:
 *
 * 1. the silo database is created and migrated; the tenant is marked `moving`;
 * 2. the tenant's moving lock is taken exclusively: its tenant transactions now wait (reads
 *    and writes alike, in every process: the lock is PostgreSQL's);
 * 3. its rows are copied table by table, in key order, as the tenant (RLS on both sides);
 * 4. the routing switches (`isolation = silo`, `database`), committed;
 * 5. the mover waits out the tenant cache (SAAS_TENANT_CACHE_MS), so no process still routes
 *    the tenant to the pool, then deletes its pool rows and lets go of the lock: the waiting
 *    transactions rerun on the silo.
 *
 * A failure before step 4 leaves the tenant in the pool as it was (the half-made silo is
 * dropped); the copy is all in the silo's transactions, so a retry starts clean.
 */
@CommandHandler(PromoteTenant)
export class PromoteTenantHandler implements ICommandHandler<PromoteTenant> {
  private readonly logger = new Logger(PromoteTenantHandler.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly silos: SiloDatabases,
    private readonly tenancy: Tenancy,
    private readonly tenantTx: TenantTransactions,
    private readonly config: SaasConfig,
  ) {}

  async execute({ tenantId }: PromoteTenant): Promise<TenantView> {
    const [[claimed]] = await this.db.query<[TenantRow[], number]>(
      `UPDATE saas.tenants SET moving = true, updated_at = now()
        WHERE id = $1 AND isolation = 'pool' AND NOT moving RETURNING *`,
      [tenantId],
    );
    if (!claimed) {
      const [exists] = await this.db.query(`SELECT 1 FROM saas.tenants WHERE id = $1`, [tenantId]);
      if (!exists) throw new SaasError('saas.tenant_not_found', `No tenant ${tenantId}.`);
      throw new SaasError(
        'saas.tenant_moving',
        'The tenant is moving already, or has its own database.',
      );
    }
    const database = siloDatabaseName(tenantId);
    let switched = false;
    try {
      await this.silos.create(database);
      const silo = await this.silos.get(database);
      const row = await this.tenantTx.exclusively(tenantId, async () => {
        await silo.transaction(async (into) => {
          await actAsTenant(into, tenantId);
          await this.db.transaction(async (from) => {
            await actAsTenant(from, tenantId);
            for (const table of TABLES) await copy(from, into, table);
          });
        });
        const [[promoted]] = await this.db.query<[TenantRow[], number]>(
          `UPDATE saas.tenants SET isolation = 'silo', database = $2, moving = false, updated_at = now()
            WHERE id = $1 RETURNING *`,
          [tenantId, database],
        );
        switched = true;
        this.tenancy.forget(tenantId);
        await new Promise((r) => setTimeout(r, this.config.SAAS_TENANT_CACHE_MS + 100));
        await this.db.transaction(async (pool) => {
          await actAsTenant(pool, tenantId);
          // Comments and tasks go with their projects (ON DELETE CASCADE).
          await pool.query(`DELETE FROM saas.projects`);
        });
        return promoted!;
      });
      this.logger.log({ tenantId, database }, 'tenant promoted to its own database');
      return toTenantView(row, null);
    } catch (err) {
      if (!switched) {
        await this.db.query(`UPDATE saas.tenants SET moving = false WHERE id = $1`, [tenantId]);
        await this.silos
          .drop(database)
          .catch((e: unknown) =>
            this.logger.error({ database, err: String(e) }, 'could not drop a half-made silo'),
          );
      }
      throw err;
    }
  }
}

/** Copies the tenant's rows of one table (RLS keeps both sides to the tenant), in key order. */
async function copy(
  from: { query: DataSource['query'] },
  into: { query: DataSource['query'] },
  table: string,
): Promise<void> {
  let after: string | null = null;
  for (;;) {
    const rows: { id: string; row: unknown }[] = await from.query(
      `SELECT id, to_jsonb(t) AS row FROM ${table} t WHERE ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT ${CHUNK}`,
      [after],
    );
    if (rows.length === 0) return;
    await into.query(
      `INSERT INTO ${table} SELECT * FROM jsonb_populate_recordset(null::${table}, $1::jsonb)`,
      [JSON.stringify(rows.map((r) => r.row))],
    );
    after = rows[rows.length - 1]!.id;
  }
}
