/**
 * The plans, with their limits and prices: the one table the README shows. Prices are in minor
 * units (EUR cents). Usage above what a plan includes is priced in graduated tiers per package
 * (1,000 API calls, one GiB of peak storage, one hour of compute), a started package counts
 * whole (Stripe's `transform_quantity: round up`).
 */
export type PlanKey = 'free' | 'pro' | 'enterprise';
export const PLAN_KEYS: readonly PlanKey[] = ['free', 'pro', 'enterprise'];

/** Built-in meters: counted by the platform (api_calls) or reported (storage, compute). */
export type BuiltInMeter = 'api_calls' | 'storage_bytes' | 'compute_seconds';
export const BUILT_IN_METERS: Record<BuiltInMeter, { aggregation: Aggregation; unit: string }> = {
  api_calls: { aggregation: 'sum', unit: 'call' },
  storage_bytes: { aggregation: 'max', unit: 'byte' },
  compute_seconds: { aggregation: 'sum', unit: 'second' },
};
export type Aggregation = 'sum' | 'count' | 'max' | 'unique_count';

export interface Tier {
  /** Packages up to this many (above the included amount) at `unitAmount`; null: the rest. */
  size: number | null;
  /** Minor units per package. */
  unitAmount: number;
}

export interface MeterPrice {
  meter: BuiltInMeter;
  /** Units in one package (1,000 calls, 2^30 bytes, 3,600 seconds). */
  packageSize: number;
  packageName: string;
  /** Units included in the monthly fee. */
  included: number;
  tiers: Tier[];
}

export interface Plan {
  key: PlanKey;
  name: string;
  currency: string;
  /** Minor units per billing period. */
  monthlyFee: number;
  /** Token bucket per tenant and route. */
  requestsPerMinute: number;
  /** A hard monthly quota of API calls (429 past it); null: none (overage is billed). */
  apiCallsPerMonth: number | null;
  isolation: 'pool' | 'silo';
  prices: MeterPrice[];
}

const GIB = 2 ** 30;

export const PLANS: Record<PlanKey, Plan> = {
  free: {
    key: 'free',
    name: 'Free',
    currency: 'EUR',
    monthlyFee: 0,
    requestsPerMinute: 100,
    apiCallsPerMonth: 10_000,
    isolation: 'pool',
    prices: [],
  },
  pro: {
    key: 'pro',
    name: 'Pro',
    currency: 'EUR',
    monthlyFee: 4_900,
    requestsPerMinute: 1_000,
    apiCallsPerMonth: null,
    isolation: 'pool',
    prices: [
      {
        meter: 'api_calls',
        packageSize: 1_000,
        packageName: '1,000 API calls',
        included: 100_000,
        tiers: [
          { size: 900, unitAmount: 20 },
          { size: null, unitAmount: 10 },
        ],
      },
      {
        meter: 'storage_bytes',
        packageSize: GIB,
        packageName: 'GiB of peak storage',
        included: 10 * GIB,
        tiers: [{ size: null, unitAmount: 50 }],
      },
      {
        meter: 'compute_seconds',
        packageSize: 3_600,
        packageName: 'compute hour',
        included: 36_000,
        tiers: [{ size: null, unitAmount: 30 }],
      },
    ],
  },
  enterprise: {
    key: 'enterprise',
    name: 'Enterprise',
    currency: 'EUR',
    monthlyFee: 49_900,
    requestsPerMinute: 10_000,
    apiCallsPerMonth: null,
    isolation: 'silo',
    prices: [
      {
        meter: 'api_calls',
        packageSize: 1_000,
        packageName: '1,000 API calls',
        included: 10_000_000,
        tiers: [{ size: null, unitAmount: 5 }],
      },
      {
        meter: 'storage_bytes',
        packageSize: GIB,
        packageName: 'GiB of peak storage',
        included: 1_024 * GIB,
        tiers: [{ size: null, unitAmount: 20 }],
      },
      {
        meter: 'compute_seconds',
        packageSize: 3_600,
        packageName: 'compute hour',
        included: 3_600_000,
        tiers: [{ size: null, unitAmount: 20 }],
      },
    ],
  },
};

export interface PricedLine {
  kind: 'flat' | 'usage';
  meter: BuiltInMeter | null;
  description: string;
  quantity: number;
  unitAmount: number;
  amount: number;
}

/**
 * The invoice lines of one period: the plan's fee, then per priced meter its usage above the
 * included amount, in packages, tier by tier (graduated: the first tier's packages at its
 * price, the next ones at the next). Integers throughout; the total is the sum of the lines.
 */
export function priceUsage(plan: Plan, usage: Partial<Record<BuiltInMeter, number>>): PricedLine[] {
  const lines: PricedLine[] = [
    {
      kind: 'flat',
      meter: null,
      description: `${plan.name} plan`,
      quantity: 1,
      unitAmount: plan.monthlyFee,
      amount: plan.monthlyFee,
    },
  ];
  for (const price of plan.prices) {
    const used = usage[price.meter] ?? 0;
    const over = Math.max(0, used - price.included);
    let packages = Math.ceil(over / price.packageSize);
    for (const [i, tier] of price.tiers.entries()) {
      if (packages <= 0) break;
      const inTier = tier.size === null ? packages : Math.min(packages, tier.size);
      packages -= inTier;
      lines.push({
        kind: 'usage',
        meter: price.meter,
        description: `${price.packageName} over ${price.included.toLocaleString('en')} ${BUILT_IN_METERS[price.meter].unit}s included${price.tiers.length > 1 ? `, tier ${i + 1}` : ''}`,
        quantity: inTier,
        unitAmount: tier.unitAmount,
        amount: inTier * tier.unitAmount,
      });
    }
  }
  return lines;
}
