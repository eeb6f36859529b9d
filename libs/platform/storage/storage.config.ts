import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, Matches, MinLength } from 'class-validator';
import { resolve } from 'node:path';
import { envBool } from '../config/env-values.js';

export const STORAGE_DRIVERS = ['local', 's3'] as const;

/**
 * The object storage port's variables (validated at boot by `loadConfig` beside AppConfig, and
 * injectable like a context's config). The S3 credentials are secrets: never logged, never
 * echoed in a config error, no default in the source.
 */
export class StorageConfig {
  /** `local`: files under STORAGE_LOCAL_DIR; `s3`: an S3-compatible bucket. */
  @IsIn(STORAGE_DRIVERS)
  STORAGE_DRIVER: (typeof STORAGE_DRIVERS)[number] = 'local';

  /** The local driver's root directory (default `<DATA_DIR>/storage`). */
  @IsOptional()
  @IsString()
  @MinLength(1)
  STORAGE_LOCAL_DIR?: string;

  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
    message:
      'STORAGE_S3_BUCKET must be a valid bucket name (3–63 lowercase letters, digits, . and -)',
  })
  STORAGE_S3_BUCKET?: string;

  @IsString()
  @MinLength(1)
  STORAGE_S3_REGION = 'us-east-1';

  /** An S3-compatible server's URL (MinIO, R2, s3rver…); unset: AWS S3 itself. */
  @IsOptional()
  @IsString()
  @Matches(/^https?:\/\//, { message: 'STORAGE_S3_ENDPOINT must be an http(s) URL' })
  STORAGE_S3_ENDPOINT?: string;

  /** Path-style URLs (`endpoint/bucket/key`), which most S3-compatible servers need. */
  @Transform(envBool)
  @IsBoolean()
  STORAGE_S3_FORCE_PATH_STYLE = false;

  /** Unset outside production: the AWS SDK's default credential chain (environment, profile, role). */
  @IsOptional()
  @IsString()
  @MinLength(1)
  STORAGE_S3_ACCESS_KEY_ID?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  STORAGE_S3_SECRET_ACCESS_KEY?: string;

  problems(platform: { isProduction: boolean }): string[] {
    if (this.STORAGE_DRIVER !== 's3') return [];
    const problems: string[] = [];
    if (!this.STORAGE_S3_BUCKET)
      problems.push('STORAGE_S3_BUCKET: required when STORAGE_DRIVER=s3');
    if (platform.isProduction && !this.STORAGE_S3_ACCESS_KEY_ID)
      problems.push('STORAGE_S3_ACCESS_KEY_ID: required in production when STORAGE_DRIVER=s3');
    if (platform.isProduction && !this.STORAGE_S3_SECRET_ACCESS_KEY)
      problems.push('STORAGE_S3_SECRET_ACCESS_KEY: required in production when STORAGE_DRIVER=s3');
    if (Boolean(this.STORAGE_S3_ACCESS_KEY_ID) !== Boolean(this.STORAGE_S3_SECRET_ACCESS_KEY))
      problems.push(
        'STORAGE_S3_SECRET_ACCESS_KEY: STORAGE_S3_ACCESS_KEY_ID and STORAGE_S3_SECRET_ACCESS_KEY are set together or not at all',
      );
    return problems;
  }

  /** The local driver's root, absolute. */
  localDir(dataDir: string): string {
    return resolve(this.STORAGE_LOCAL_DIR ?? resolve(dataDir, 'storage'));
  }
}
