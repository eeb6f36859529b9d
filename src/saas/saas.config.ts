import { envInt, randomSecret, Secret } from '@app/platform';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';

/** The saas context's environment variables (validated at boot when the process hosts saas). */
export class SaasConfig {
  /**
   * Requests to `<slug>.<SAAS_BASE_HOST>` resolve that tenant before login (e.g.
   * `acme.saas.localhost`). Unset: tenants come from the token or `X-Tenant-ID` only.
   */
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9.-]+$/)
  SAAS_BASE_HOST?: string = 'saas.localhost';

  /** How long a process caches a tenant and a membership, ms (changes made here apply at once). */
  @Transform(envInt)
  @IsInt()
  @Min(0)
  @Max(60_000)
  SAAS_TENANT_CACHE_MS = 2_000;

  /**
   * Scales every plan's requests per minute (load tests, staging). The limiter still runs; a
   * benchmark that pushes one tenant at thousands of requests a second sets it.
   */
  @Transform(envInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  SAAS_RATE_LIMIT_MULTIPLIER = 1;

  /**
   * The billing period, seconds; 0 (the default): calendar months, UTC. A short period (60)
   * makes invoices within minutes, for demos and tests.
   */
  @Transform(envInt)
  @IsInt()
  @Min(0)
  SAAS_BILLING_PERIOD_SECONDS = 0;

  /**
   * How long an invoice stays a draft after its period ends, seconds: late usage still counts
   * (Stripe's invoice grace is 1 hour). Then it is final and charged.
   */
  @Transform(envInt)
  @IsInt()
  @Min(0)
  SAAS_INVOICE_GRACE_SECONDS = 3_600;

  /** How often the hourly rollup and the period close run, ms. */
  @Transform(envInt)
  @IsInt()
  @Min(100)
  SAAS_BILLING_EVERY_MS = 60_000;

  /** Dunning: seconds between retries of an unpaid invoice's charge. */
  @Transform(envInt)
  @IsInt()
  @Min(1)
  SAAS_DUNNING_RETRY_SECONDS = 3 * 86_400;

  /** Dunning: charge attempts per invoice (the first one and its retries). */
  @Transform(envInt)
  @IsInt()
  @Min(1)
  @Max(20)
  SAAS_DUNNING_ATTEMPTS = 4;

  /** A tenant with an invoice past due this long (seconds since it was final) is suspended. */
  @Transform(envInt)
  @IsInt()
  @Min(1)
  SAAS_SUSPEND_PAST_DUE_SECONDS = 14 * 86_400;

  /** Oldest usage-event timestamp accepted, seconds back (Stripe: 35 days). */
  @Transform(envInt)
  @IsInt()
  @Min(60)
  SAAS_USAGE_MAX_AGE_SECONDS = 35 * 86_400;

  /** Furthest usage-event timestamp accepted, seconds ahead (Stripe: 5 minutes). */
  @Transform(envInt)
  @IsInt()
  @Min(0)
  SAAS_USAGE_MAX_AHEAD_SECONDS = 300;

  /**
   * HMAC key of invoice page links (`GET /v1/saas/invoice-pages/{token}`: a person opens the
   * invoice in a browser without a bearer token), at least 32 characters. No default:
   * production must set it; elsewhere generated into DATA_DIR.
   */
  @Secret({ generate: randomSecret })
  @IsString()
  @MinLength(32)
  SAAS_INVOICE_LINK_SECRET!: string;

  /** How long an invoice page link is valid, seconds. */
  @Transform(envInt)
  @IsInt()
  @Min(60)
  @Max(30 * 86_400)
  SAAS_INVOICE_LINK_TTL_SECONDS = 7 * 86_400;
}
