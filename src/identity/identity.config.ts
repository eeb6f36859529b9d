import { envInt } from '@app/platform';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

/** Identity's environment variables (validated at boot when the process hosts identity). */
export class IdentityConfig {
  /** Failed logins for one email (account or not) before its logins answer 429. */
  @Transform(envInt)
  @IsInt()
  @Min(1)
  IDENTITY_LOGIN_MAX_FAILURES = 5;

  /** The per-email window: counted from its first failure; a successful login clears it. */
  @Transform(envInt)
  @IsInt()
  @Min(1)
  @Max(86_400)
  IDENTITY_LOGIN_WINDOW_SECONDS = 900;

  /** Requests per client IP to each of register, login and refresh, per window below. */
  @Transform(envInt)
  @IsInt()
  @Min(1)
  IDENTITY_AUTH_PER_IP = 100;

  @Transform(envInt)
  @IsInt()
  @Min(1)
  @Max(86_400)
  IDENTITY_AUTH_IP_WINDOW_SECONDS = 600;
}
