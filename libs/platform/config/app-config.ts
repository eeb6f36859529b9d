import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  Min,
  MinLength,
  validateSync,
  IsEmail,
  Matches,
} from 'class-validator';

export const CONTEXT_NAMES = [
  'identity',
  'notifications',
  'commerce',
  'payments',
  'social',
  'streaming',
  'saas',
] as const;
export type ContextName = (typeof CONTEXT_NAMES)[number];

export const EVENT_TRANSPORTS = ['none', 'rmq', 'nats', 'redis'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const bool = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? ['1', 'true', 'yes', 'on'].includes(value.toLowerCase()) : value;
const int = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
const list = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : value;

/** Development-only secrets; production must set its own (boot fails otherwise). */
const DEV_VAULT_KEYS = 'dev1:ZGV2LW9ubHktdmF1bHQta2V5LTMyLWJ5dGVzLWxvbmc=';
const DEV_VAULT_HMAC_KEY = 'dev-only-card-fingerprint-hmac-key-0123456789';
/** A development-only signing secret; production must set JWT_SECRET. */
const DEV_JWT_SECRET = 'dev-only-insecure-jwt-secret-change-me-0123456789';

/**
 * Every environment variable the server reads, validated once at boot.
 * Nothing else in the code base reads `process.env`.
 */
export class AppConfig {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  @Transform(int)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  @MinLength(1)
  HOST = '0.0.0.0';

  @IsString()
  @MinLength(1)
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

  @Transform(int)
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE = 20;

  /** Run pending migrations when the server starts. */
  @Transform(bool)
  @IsBoolean()
  MIGRATIONS_RUN = true;

  @IsString()
  @MinLength(1)
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Prepended to every Redis key and BullMQ queue (lets several deployments share one Redis). */
  @IsString()
  REDIS_PREFIX = '';

  /** Which contexts this process hosts, comma separated (default: all). */
  @Transform(list)
  @IsIn(CONTEXT_NAMES, { each: true })
  CONTEXTS: ContextName[] = [...CONTEXT_NAMES];

  /** Broker that carries integration events between processes (`none`: the database only). */
  @IsIn(EVENT_TRANSPORTS)
  EVENT_TRANSPORT: (typeof EVENT_TRANSPORTS)[number] = 'none';

  /**
   * The broker's URL. Defaults: rmq `amqp://guest:guest@127.0.0.1:5672`, nats
   * `nats://127.0.0.1:4222`, redis: REDIS_URL.
   */
  @IsOptional()
  @IsString()
  @MinLength(1)
  EVENT_BROKER_URL?: string;

  /**
   * This deployment's name on the broker: its RabbitMQ queue / NATS queue group. Instances with
   * the same name share the work; each name receives every event once. Default: the hosted
   * contexts, e.g. `commerce-identity`.
   */
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,100}$/)
  SERVICE_NAME?: string;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  /** Run BullMQ workers and the outbox relay inside this process. */
  @Transform(bool)
  @IsBoolean()
  WORKERS = true;

  /** HS256 signing secret for access tokens, at least 32 characters. */
  @IsString()
  @MinLength(32)
  JWT_SECRET = DEV_JWT_SECRET;

  @Transform(int)
  @IsInt()
  @Min(10)
  @Max(86_400)
  JWT_ACCESS_TTL_SECONDS = 900;

  @Transform(int)
  @IsInt()
  @Min(60)
  REFRESH_TOKEN_TTL_SECONDS = 30 * 86_400;

  @IsOptional()
  @IsEmail()
  ADMIN_EMAIL?: string;

  @IsOptional()
  @IsString()
  @MinLength(12)
  ADMIN_PASSWORD?: string;

  /** Comma-separated origins allowed by CORS; `*` allows any. Empty disables CORS. */
  @Transform(list)
  @IsString({ each: true })
  CORS_ORIGINS: string[] = [];

  /**
   * Trust X-Forwarded-* from a reverse proxy (client IP for rate limits and logs). Leave off
   * unless a proxy you control sets them: clients could otherwise spoof their IP.
   */
  @Transform(bool)
  @IsBoolean()
  TRUST_PROXY = false;

  /** Requests per client IP per minute before 429. */
  @Transform(int)
  @IsInt()
  @Min(1)
  RATE_LIMIT_PER_MINUTE = 1200;

  /** How often the outbox poller looks for events the after-commit signal missed. */
  @Transform(int)
  @IsInt()
  @Min(10)
  OUTBOX_POLL_INTERVAL_MS = 1000;

  @Transform(int)
  @IsInt()
  @Min(1)
  @Max(1000)
  OUTBOX_BATCH_SIZE = 100;

  /** Deliveries to one consumer before it is parked (dead-lettered). */
  @Transform(int)
  @IsInt()
  @Min(1)
  @Max(100)
  INBOX_MAX_ATTEMPTS = 8;

  /** First retry delay; doubles each attempt (with jitter), capped at INBOX_RETRY_MAX_MS. */
  @Transform(int)
  @IsInt()
  @Min(1)
  INBOX_RETRY_BASE_MS = 500;

  @Transform(int)
  @IsInt()
  @Min(1)
  INBOX_RETRY_MAX_MS = 5 * 60_000;

  /** How long a claimed delivery is left alone before the poller assumes its worker died. */
  @Transform(int)
  @IsInt()
  @Min(100)
  INBOX_LEASE_MS = 30_000;

  /** Dispatched outbox rows and finished inbox rows older than this are purged hourly. */
  @Transform(int)
  @IsInt()
  @Min(1)
  MESSAGING_RETENTION_HOURS = 24 * 7;

  @Transform(int)
  @IsInt()
  @Min(60)
  IDEMPOTENCY_TTL_SECONDS = 86_400;

  // ── payments ────────────────────────────────────────────────────────────────────────────

  /** `sandbox` (deterministic test card network, default) or `http` (a real processor). */
  @IsIn(['sandbox', 'http'])
  PAYMENTS_PROCESSOR: 'sandbox' | 'http' = 'sandbox';

  @IsOptional()
  @IsString()
  @MinLength(1)
  PAYMENTS_PROCESSOR_URL?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  PAYMENTS_PROCESSOR_API_KEY?: string;

  /** A processor call slower than this has an unknown outcome and is resolved by a status lookup. */
  @Transform(int)
  @IsInt()
  @Min(10)
  PAYMENTS_PROCESSOR_TIMEOUT_MS = 5000;

  /** Simulated network latency of the sandbox card network. */
  @Transform(int)
  @IsInt()
  @Min(0)
  PAYMENTS_SANDBOX_LATENCY_MS = 10;

  /** Card-vault keyring, `keyId:base64(32 bytes)` comma separated; rotation adds a key. */
  @IsString()
  @Matches(/^[A-Za-z0-9_-]+:[A-Za-z0-9+/=]{43,44}(,[A-Za-z0-9_-]+:[A-Za-z0-9+/=]{43,44})*$/, {
    message: 'PAYMENTS_VAULT_KEYS must be keyId:base64(32 bytes)[,keyId:base64(32 bytes)…]',
  })
  PAYMENTS_VAULT_KEYS = DEV_VAULT_KEYS;

  /** Key id new ciphertexts use (default: the last key of PAYMENTS_VAULT_KEYS). */
  @IsOptional()
  @IsString()
  PAYMENTS_VAULT_ACTIVE_KEY?: string;

  /** HMAC key for card-number fingerprints (duplicate detection), at least 32 characters. */
  @IsString()
  @MinLength(32)
  PAYMENTS_VAULT_HMAC_KEY = DEV_VAULT_HMAC_KEY;

  /** Fraud rules as JSON (see README › Payments); default: the built-in rule set. */
  @IsOptional()
  @IsString()
  PAYMENTS_FRAUD_RULES?: string;

  /** A transfer not finished by then is compensated. */
  @Transform(int)
  @IsInt()
  @Min(1)
  PAYMENTS_SAGA_DEADLINE_SECONDS = 600;

  /** Holds expire (and are voided by the reaper) after this. */
  @Transform(int)
  @IsInt()
  @Min(1)
  PAYMENTS_HOLD_TIMEOUT_SECONDS = 900;

  /** A saga step whose runner vanished is resumed after this. */
  @Transform(int)
  @IsInt()
  @Min(50)
  PAYMENTS_SAGA_LEASE_MS = 30_000;

  @Transform(int)
  @IsInt()
  @Min(10)
  PAYMENTS_POLL_INTERVAL_MS = 1000;

  // ── commerce ────────────────────────────────────────────────────────────────────────────

  /** An order whose saga has not finished by then is failed (and refunded if it was paid). */
  @Transform(int)
  @IsInt()
  @Min(1)
  COMMERCE_ORDER_TIMEOUT_SECONDS = 900;

  @Transform(int)
  @IsInt()
  @Min(10)
  COMMERCE_POLL_INTERVAL_MS = 5000;

  /** Product detail cache lifetime (invalidated on every change anyway). */
  @Transform(int)
  @IsInt()
  @Min(1)
  COMMERCE_PRODUCT_CACHE_SECONDS = 3600;

  // ── notifications ───────────────────────────────────────────────────────────────────────

  /** SMTP server for email (`smtp://user:pass@host:587`). Unset: messages are kept in the delivery log only. */
  @IsOptional()
  @IsString()
  @Matches(/^smtps?:\/\//, { message: 'SMTP_URL must start with smtp:// or smtps://' })
  SMTP_URL?: string;

  @IsString()
  @MinLength(3)
  MAIL_FROM = 'Five Businesses <no-reply@five-businesses.dev>';

  /** `sandbox` records deliveries; `twilio` calls a Twilio-shaped HTTP API. */
  @IsIn(['sandbox', 'twilio'])
  SMS_PROVIDER: 'sandbox' | 'twilio' = 'sandbox';

  @IsOptional()
  @IsString()
  SMS_API_URL?: string;

  @IsOptional()
  @IsString()
  SMS_API_KEY?: string;

  /** `sandbox` records deliveries; `fcm` calls an FCM-shaped HTTP API. */
  @IsIn(['sandbox', 'fcm'])
  PUSH_PROVIDER: 'sandbox' | 'fcm' = 'sandbox';

  @IsOptional()
  @IsString()
  PUSH_API_URL?: string;

  @IsOptional()
  @IsString()
  PUSH_API_KEY?: string;

  get vaultKeys(): Map<string, Buffer> {
    return new Map(
      this.PAYMENTS_VAULT_KEYS.split(',').map((pair) => {
        const [id, key] = pair.split(':') as [string, string];
        return [id, Buffer.from(key, 'base64')];
      }),
    );
  }

  get isProduction(): boolean {
    return this.NODE_ENV === 'production';
  }

  get serviceName(): string {
    return this.SERVICE_NAME ?? [...this.CONTEXTS].sort().join('-');
  }

  get brokerUrl(): string {
    if (this.EVENT_BROKER_URL) return this.EVENT_BROKER_URL;
    switch (this.EVENT_TRANSPORT) {
      case 'rmq':
        return 'amqp://guest:guest@127.0.0.1:5672';
      case 'nats':
        return 'nats://127.0.0.1:4222';
      default:
        return this.REDIS_URL;
    }
  }

  hosts(context: ContextName): boolean {
    return this.CONTEXTS.includes(context);
  }
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Builds the typed config from an environment map. Throws a ConfigError naming every bad
 * variable (and why) so boot fails fast with a message a person can act on.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const known = Object.keys(new AppConfig());
  const input: Record<string, string> = {};
  for (const key of known) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const config = plainToInstance(AppConfig, input);
  const errors = validateSync(config, { whitelist: false });
  const problems = errors.map((e) => {
    const got = /SECRET|PASSWORD|KEY/.test(e.property)
      ? ''
      : ` (got ${JSON.stringify(input[e.property])})`;
    return `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}${got}`;
  });
  if (config.isProduction && config.JWT_SECRET === DEV_JWT_SECRET) {
    problems.push(
      'JWT_SECRET: must be set in production (the built-in value is for development only)',
    );
  }
  if (config.isProduction && config.PAYMENTS_VAULT_KEYS === DEV_VAULT_KEYS) {
    problems.push(
      'PAYMENTS_VAULT_KEYS: must be set in production (the built-in key is for development only)',
    );
  }
  if (config.isProduction && config.PAYMENTS_VAULT_HMAC_KEY === DEV_VAULT_HMAC_KEY) {
    problems.push('PAYMENTS_VAULT_HMAC_KEY: must be set in production');
  }
  if (problems.length === 0) {
    for (const [id, key] of config.vaultKeys)
      if (key.length !== 32) problems.push(`PAYMENTS_VAULT_KEYS: key ${id} is not 32 bytes`);
    if (
      config.PAYMENTS_VAULT_ACTIVE_KEY &&
      !config.vaultKeys.has(config.PAYMENTS_VAULT_ACTIVE_KEY)
    ) {
      problems.push('PAYMENTS_VAULT_ACTIVE_KEY: not a key id of PAYMENTS_VAULT_KEYS');
    }
    if (config.SMS_PROVIDER === 'twilio' && !config.SMS_API_URL)
      problems.push('SMS_API_URL: required when SMS_PROVIDER=twilio');
    if (config.PUSH_PROVIDER === 'fcm' && !config.PUSH_API_URL)
      problems.push('PUSH_API_URL: required when PUSH_PROVIDER=fcm');
    if (config.PAYMENTS_PROCESSOR === 'http' && !config.PAYMENTS_PROCESSOR_URL) {
      problems.push('PAYMENTS_PROCESSOR_URL: required when PAYMENTS_PROCESSOR=http');
    }
  }
  if (config.ADMIN_EMAIL && !config.ADMIN_PASSWORD)
    problems.push('ADMIN_PASSWORD: required when ADMIN_EMAIL is set');
  if (config.ADMIN_PASSWORD && !config.ADMIN_EMAIL)
    problems.push('ADMIN_EMAIL: required when ADMIN_PASSWORD is set');
  if (problems.length > 0) {
    throw new ConfigError(`Invalid environment variable(s):\n  - ${problems.join('\n  - ')}`);
  }
  return config;
}
