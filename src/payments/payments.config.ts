import { envInt, randomKeyring, randomSecret, Secret, type ContextConfig } from '@app/platform';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Min, MinLength } from 'class-validator';

/** Payments' environment variables (validated at boot when the process hosts payments). */
export class PaymentsConfig implements ContextConfig {
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
  @Transform(envInt)
  @IsInt()
  @Min(10)
  PAYMENTS_PROCESSOR_TIMEOUT_MS = 5000;

  /** Simulated network latency of the sandbox card network. */
  @Transform(envInt)
  @IsInt()
  @Min(0)
  PAYMENTS_SANDBOX_LATENCY_MS = 10;

  /**
   * Card-vault keyring, `keyId:base64(32 bytes)` comma separated; rotation adds a key. No
   * default: production must set it; elsewhere a one-key ring is generated into DATA_DIR.
   */
  @Secret({ generate: randomKeyring })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]+:[A-Za-z0-9+/=]{43,44}(,[A-Za-z0-9_-]+:[A-Za-z0-9+/=]{43,44})*$/, {
    message: 'PAYMENTS_VAULT_KEYS must be keyId:base64(32 bytes)[,keyId:base64(32 bytes)…]',
  })
  PAYMENTS_VAULT_KEYS!: string;

  /** Key id new ciphertexts use (default: the last key of PAYMENTS_VAULT_KEYS). */
  @IsOptional()
  @IsString()
  PAYMENTS_VAULT_ACTIVE_KEY?: string;

  /**
   * HMAC key for card-number fingerprints (duplicate detection), at least 32 characters. No
   * default: production must set it; elsewhere generated into DATA_DIR.
   */
  @Secret({ generate: randomSecret })
  @IsString()
  @MinLength(32)
  PAYMENTS_VAULT_HMAC_KEY!: string;

  /** Fraud rules as JSON (see README › Payments); default: the built-in rule set. */
  @IsOptional()
  @IsString()
  PAYMENTS_FRAUD_RULES?: string;

  /** A transfer not finished by then is compensated. */
  @Transform(envInt)
  @IsInt()
  @Min(1)
  PAYMENTS_SAGA_DEADLINE_SECONDS = 600;

  /** Holds expire (and are voided by the reaper) after this. */
  @Transform(envInt)
  @IsInt()
  @Min(1)
  PAYMENTS_HOLD_TIMEOUT_SECONDS = 900;

  /** A saga step whose runner vanished is resumed after this. */
  @Transform(envInt)
  @IsInt()
  @Min(50)
  PAYMENTS_SAGA_LEASE_MS = 30_000;

  @Transform(envInt)
  @IsInt()
  @Min(10)
  PAYMENTS_POLL_INTERVAL_MS = 1000;

  /** The vault keyring by key id. */
  get vaultKeys(): Map<string, Buffer> {
    return new Map(
      this.PAYMENTS_VAULT_KEYS.split(',').map((pair) => {
        const [id, key] = pair.split(':') as [string, string];
        return [id, Buffer.from(key, 'base64')];
      }),
    );
  }

  problems(): string[] {
    const problems: string[] = [];
    for (const [id, key] of this.vaultKeys)
      if (key.length !== 32) problems.push(`PAYMENTS_VAULT_KEYS: key ${id} is not 32 bytes`);
    if (this.PAYMENTS_VAULT_ACTIVE_KEY && !this.vaultKeys.has(this.PAYMENTS_VAULT_ACTIVE_KEY)) {
      problems.push('PAYMENTS_VAULT_ACTIVE_KEY: not a key id of PAYMENTS_VAULT_KEYS');
    }
    if (this.PAYMENTS_PROCESSOR === 'http' && !this.PAYMENTS_PROCESSOR_URL) {
      problems.push('PAYMENTS_PROCESSOR_URL: required when PAYMENTS_PROCESSOR=http');
    }
    return problems;
  }
}
