import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  Min,
  MaxLength,
  MinLength,
  IsEmail,
  Matches,
} from 'class-validator';
import { envBool, envInt, envList, envTrustProxy, IsTrustProxy } from './env-values.js';
import { randomSecret, Secret } from './secrets.js';
import {
  CRASH_LABELS,
  FREEZE_LABELS,
  NotInProduction,
  type CrashLabel,
  type FreezeLabel,
} from '../faults/crash-points.js';

export const EVENT_TRANSPORTS = ['none', 'rmq', 'nats', 'redis'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * The platform's environment variables, validated once at boot (`loadConfig`). Each context
 * declares its own in `src/<context>/<context>.config.ts`. Nothing else reads `process.env`.
 */
export class AppConfig {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  @Transform(envInt)
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

  @Transform(envInt)
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE = 20;

  /**
   * A pool slot or a new connection within this, else the request fails 503 (pg-pool's
   * `connectionTimeoutMillis`: a stalled PostgreSQL, or every connection busy).
   */
  @Transform(envInt)
  @IsInt()
  @Min(100)
  @Max(120_000)
  DATABASE_CONNECT_TIMEOUT_MS = 5_000;

  /**
   * PostgreSQL cancels a statement running longer than this (`statement_timeout`); the client
   * gives up on an answer 1 s later (`query_timeout`: a black-holed link where the server
   * never sees the statement) and drops that connection. Either way the request fails 503.
   */
  @Transform(envInt)
  @IsInt()
  @Min(100)
  @Max(600_000)
  DATABASE_STATEMENT_TIMEOUT_MS = 15_000;

  /**
   * Where a non-production installation keeps what it generates for itself: `secrets.env`, the
   * `@Secret` variables the environment does not set, shared by the API, the worker and later
   * starts. Relative to the working directory; `.data/` is git-ignored. Production never uses it.
   */
  @IsString()
  @MinLength(1)
  DATA_DIR = './.data';

  /** Run pending migrations when the server starts. */
  @Transform(envBool)
  @IsBoolean()
  MIGRATIONS_RUN = true;

  @IsString()
  @MinLength(1)
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Prepended to every Redis key and BullMQ queue (lets several deployments share one Redis). */
  @IsString()
  REDIS_PREFIX = '';

  /**
   * A command of the app's Redis clients (not BullMQ's) without an answer this long fails (HTTP:
   * 503), and a connection that stays silent this long after a write is dropped and reconnected:
   * a slow or unreachable Redis costs a request at most about this, never a hang.
   */
  @Transform(envInt)
  @IsInt()
  @Min(50)
  @Max(60_000)
  REDIS_COMMAND_TIMEOUT_MS = 2_000;

  /**
   * Boot refuses a Redis whose `maxmemory-policy` is not `noeviction`: an evicting Redis drops
   * BullMQ jobs and locks, idempotency keys and session revocations silently. `true` overrides
   * the check (a cache-only Redis you accept losing keys from); the server then only warns.
   */
  @Transform(envBool)
  @IsBoolean()
  REDIS_ALLOW_EVICTION = false;

  /**
   * Which contexts this process hosts, comma separated (default: all). Checked against the
   * context descriptors by `loadConfig`.
   */
  @Transform(envList)
  @IsString({ each: true })
  CONTEXTS: string[] = [];

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

  /** `pretty` (pino-pretty, for a person at a terminal; development only) or `json`. */
  @IsIn(['json', 'pretty'])
  LOG_FORMAT: 'json' | 'pretty' = 'json';

  /** Load the demo data into an empty database at start (development only; never in production). */
  @Transform(envBool)
  @IsBoolean()
  DEMO_DATA = true;

  /** Serve `/metrics` on this port instead of the API port (unset: on the API port). */
  @IsOptional()
  @Transform(envInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  METRICS_PORT?: number;

  /** When set, `/metrics` requires `Authorization: Bearer <METRICS_TOKEN>`. */
  @IsOptional()
  @IsString()
  @MinLength(16)
  METRICS_TOKEN?: string;

  /** OTLP/HTTP endpoint for traces (e.g. `http://jaeger:4318`); unset: tracing off, at no cost. */
  @IsOptional()
  @IsString()
  @Matches(/^https?:\/\//, { message: 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL' })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  /** Run BullMQ workers and the outbox relay inside this process. */
  @Transform(envBool)
  @IsBoolean()
  WORKERS = true;

  /**
   * HS256 signing secret for access tokens, at least 32 characters. No default: production must
   * set it; development and tests generate one into DATA_DIR (`@Secret`).
   */
  @Secret({ generate: randomSecret })
  @IsString()
  @MinLength(32)
  JWT_SECRET!: string;

  @Transform(envInt)
  @IsInt()
  @Min(10)
  @Max(86_400)
  JWT_ACCESS_TTL_SECONDS = 900;

  @Transform(envInt)
  @IsInt()
  @Min(60)
  REFRESH_TOKEN_TTL_SECONDS = 30 * 86_400;

  @IsOptional()
  @IsEmail()
  ADMIN_EMAIL?: string;

  @IsOptional()
  @IsString()
  @MinLength(12)
  @MaxLength(128) // what login accepts (identity's LoginRequest)
  ADMIN_PASSWORD?: string;

  /** Comma-separated origins allowed by CORS; `*` allows any. Empty disables CORS. */
  @Transform(envList)
  @IsString({ each: true })
  CORS_ORIGINS: string[] = [];

  /**
   * Which peers' X-Forwarded-* to believe (client IP for rate limits and logs): `false` none,
   * `true` any (only behind a proxy that strips them from clients), or a comma list of proxy
   * addresses and CIDRs (`10.0.0.0/8,127.0.0.1`, or `loopback`). Trusting more than your own
   * proxies lets clients spoof their IP.
   */
  @Transform(envTrustProxy)
  @IsTrustProxy()
  TRUST_PROXY: boolean | string[] = false;

  /** The whole request (headers within min(10 s, this)) must arrive within this, else 408. */
  @Transform(envInt)
  @IsInt()
  @Min(100)
  @Max(600_000)
  HTTP_REQUEST_TIMEOUT_MS = 30_000;

  /** A connection silent both ways this long (a stalled client, a handler that hangs) is closed. */
  @Transform(envInt)
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  HTTP_CONNECTION_TIMEOUT_MS = 60_000;

  /** Idle keep-alive connections close after this; keep it above your load balancer's idle timeout. */
  @Transform(envInt)
  @IsInt()
  @Min(100)
  @Max(600_000)
  HTTP_KEEP_ALIVE_TIMEOUT_MS = 72_000;

  /** Requests per client IP per minute before 429. */
  @Transform(envInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_PER_MINUTE = 1200;

  /** How often the outbox poller looks for events the after-commit signal missed. */
  @Transform(envInt)
  @IsInt()
  @Min(10)
  OUTBOX_POLL_INTERVAL_MS = 1000;

  @Transform(envInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  OUTBOX_BATCH_SIZE = 100;

  /** Deliveries to one consumer before it is parked (dead-lettered). */
  @Transform(envInt)
  @IsInt()
  @Min(1)
  @Max(100)
  INBOX_MAX_ATTEMPTS = 8;

  /** First retry delay; doubles each attempt (with jitter), capped at INBOX_RETRY_MAX_MS. */
  @Transform(envInt)
  @IsInt()
  @Min(1)
  INBOX_RETRY_BASE_MS = 500;

  @Transform(envInt)
  @IsInt()
  @Min(1)
  INBOX_RETRY_MAX_MS = 5 * 60_000;

  /** How long a claimed delivery is left alone before the poller assumes its worker died. */
  @Transform(envInt)
  @IsInt()
  @Min(100)
  INBOX_LEASE_MS = 30_000;

  /** Dispatched outbox rows and finished inbox rows older than this are purged hourly. */
  @Transform(envInt)
  @IsInt()
  @Min(1)
  MESSAGING_RETENTION_HOURS = 24 * 7;

  @Transform(envInt)
  @IsInt()
  @Min(60)
  IDEMPOTENCY_TTL_SECONDS = 86_400;

  /**
   * Fault tests only: SIGKILL the process at this named crash point (libs/platform/faults).
   * Unknown labels and production refuse to boot.
   */
  @IsOptional()
  @IsIn(CRASH_LABELS)
  @NotInProduction()
  FAULT_CRASH_AT?: CrashLabel;

  /** Fault tests only: SIGSTOP the process at this named freeze point (libs/platform/faults). */
  @IsOptional()
  @IsIn(FREEZE_LABELS)
  @NotInProduction()
  FAULT_FREEZE_AT?: FreezeLabel;

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
}
