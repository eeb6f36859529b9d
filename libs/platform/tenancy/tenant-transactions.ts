import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Transactions, type RunOptions, type Tx } from '../database/transactions.js';
import { PlatformError } from '../http/app-error.js';
import { RequestContext } from '../http/request-context.js';
import { Tenancy } from './tenancy.js';
import { TENANT_ROLE, TENANT_SETTING } from './tenant-role.js';

/** Advisory-lock space of "this tenant is moving" (the second key is the tenant's hash). */
const MOVE_LOCK_SPACE = 0x74656e; // 'ten'

/** Raised inside a transaction that found its tenant mid-move: it reruns on the new route. */
class TenantMoved extends Error {}

/**
 * Transactions on the current tenant's data. The tenant comes from the request context (set by
 * `@TenantScoped()` routes, or by a worker from its job's `tenantId`), never from an argument,
 * and a transaction without one fails. The first statement, in one round trip:
 *
 * - `set_config('app.tenant_id', $1, true)`: the RLS policies' value, local to the transaction
 *   (cleared at COMMIT or ROLLBACK, so a pooled connection carries nothing to the next tenant);
 * - `set_config('role', 'app_tenant', true)`, i.e. `SET LOCAL ROLE`: a role that is not the
 *   tables' owner and has no BYPASSRLS, so the policies bind even though the connection's own
 *   user is a superuser;
 * - a shared try-lock on the tenant's "moving" lock. A promotion (pool → silo) holds it
 *   exclusively while it copies; a transaction that finds it taken waits for the move to end
 *   and reruns on the tenant's new database, so no write lands in the pool after its copy.
 *
 * A silo tenant's transactions run on its own database (Tenancy.dataSourceFor), with the same
 * policies. Their `publish` throws: the outbox is in the platform database.
 */
@Injectable()
export class TenantTransactions {
  private readonly logger = new Logger(TenantTransactions.name);

  constructor(
    private readonly transactions: Transactions,
    private readonly context: RequestContext,
    private readonly tenancy: Tenancy,
  ) {}

  /** The current tenant's id; throws (fail closed) outside a tenant context. */
  tenantId(): string {
    const tenantId = this.context.tenantId;
    if (!tenantId) throw new Error('tenant data touched outside a tenant context');
    return tenantId;
  }

  /**
   * `on: 'platform'`: tables that stay in the platform database for every tenant (the tenant's
   * members, usage, invoices), under the same RLS, whatever the tenant's isolation.
   */
  async run<T>(
    work: (tx: Tx) => Promise<T>,
    options: Omit<RunOptions, 'dataSource' | 'enter'> & { on?: 'tenant' | 'platform' } = {},
  ): Promise<T> {
    const tenantId = this.tenantId();
    if (options.on === 'platform') {
      return this.transactions.run(work, {
        ...options,
        enter: (manager) => actAsTenant(manager, tenantId),
      });
    }
    for (let attempt = 0; ; attempt++) {
      const tenant = await this.tenancy.find({ id: tenantId }, attempt > 0);
      if (!tenant) {
        throw new PlatformError('platform.tenant_not_found', 404, `No tenant ${tenantId}.`);
      }
      const dataSource = await this.tenancy.dataSourceFor(tenant).catch((err: unknown) => {
        // A silo whose database is missing, unreachable or unmapped: fail closed, and say so.
        this.logger.error({ tenantId, err: String(err) }, 'the tenant’s database is unreachable');
        throw new PlatformError(
          'platform.unavailable',
          503,
          'This tenant’s database is not reachable right now; retry shortly.',
        );
      });
      try {
        return await this.transactions.run(work, {
          ...options,
          dataSource,
          enter: (manager) => enterTenant(manager, tenantId, tenant.isolation === 'pool'),
        });
      } catch (err) {
        if (!(err instanceof TenantMoved)) throw err;
        if (attempt >= 2) {
          throw new PlatformError(
            'platform.unavailable',
            503,
            'This tenant is being moved to its own database; retry shortly.',
          );
        }
      }
    }
  }

  /**
   * Runs `fn` while holding the tenant's moving lock exclusively (a promotion): tenant
   * transactions that start meanwhile wait, then rerun on the tenant's route as it is after.
   */
  async exclusively<T>(tenantId: string, fn: () => Promise<T>): Promise<T> {
    const runner = this.tenancy.platformDataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query(`SELECT pg_advisory_lock($1, hashtext($2))`, [MOVE_LOCK_SPACE, tenantId]);
      try {
        return await fn();
      } finally {
        await runner.query(`SELECT pg_advisory_unlock($1, hashtext($2))`, [
          MOVE_LOCK_SPACE,
          tenantId,
        ]);
      }
    } finally {
      await runner.release();
    }
  }
}

/**
 * Makes a transaction a tenant's (the setting and the role, transaction-local), without the
 * moving lock: for the mover itself, which holds that lock.
 */
export async function actAsTenant(manager: EntityManager, tenantId: string): Promise<void> {
  const [row] = await manager.query<{ tenant: string }[]>(
    `SELECT set_config('${TENANT_SETTING}', $1, true) AS tenant, set_config('role', '${TENANT_ROLE}', true) AS role`,
    [tenantId],
  );
  if (row?.tenant !== tenantId) throw new Error('the tenant setting did not take');
}

async function enterTenant(manager: EntityManager, tenantId: string, pool: boolean): Promise<void> {
  const [row] = await manager.query<{ free: boolean; tenant: string }[]>(
    `SELECT ${pool ? `pg_try_advisory_xact_lock_shared(${MOVE_LOCK_SPACE}, hashtext($1))` : 'true'} AS free,
            set_config('${TENANT_SETTING}', $1, true) AS tenant,
            set_config('role', '${TENANT_ROLE}', true) AS role`,
    [tenantId],
  );
  // The context, the setting and the policies must agree; anything else fails closed.
  if (row?.tenant !== tenantId) throw new Error('the tenant setting did not take');
  if (!row.free) {
    // A move is under way: wait for it to end, then rerun on the route it left.
    await manager.query(`SELECT pg_advisory_xact_lock_shared($1, hashtext($2))`, [
      MOVE_LOCK_SPACE,
      tenantId,
    ]);
    throw new TenantMoved();
  }
}
