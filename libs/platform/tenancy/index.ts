import { ApiCallMeter } from './api-call-meter.js';
import { SiloDatabases } from './silo-databases.js';
import { Tenancy } from './tenancy.js';
import { TenantGuard } from './tenant.guard.js';
import { TenantLimits } from './tenant-limits.js';
import { TenantTransactions } from './tenant-transactions.js';

export * from './api-call-meter.js';
export * from './silo-databases.js';
export * from './tenancy.js';
export * from './tenant.guard.js';
export * from './tenant-limits.js';
export * from './tenant-role.js';
export * from './tenant-transactions.js';

/** Provided (and exported) by the global PlatformModule. */
export const TENANCY_PROVIDERS = [
  Tenancy,
  SiloDatabases,
  TenantLimits,
  ApiCallMeter,
  TenantGuard,
  TenantTransactions,
];
