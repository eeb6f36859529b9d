import { envInt } from '@app/platform';
import { Transform } from 'class-transformer';
import { IsInt, Min } from 'class-validator';

/** Commerce's environment variables (validated at boot when the process hosts commerce). */
export class CommerceConfig {
  /** An order whose saga has not finished by then is failed (and refunded if it was paid). */
  @Transform(envInt)
  @IsInt()
  @Min(1)
  COMMERCE_ORDER_TIMEOUT_SECONDS = 900;

  @Transform(envInt)
  @IsInt()
  @Min(10)
  COMMERCE_POLL_INTERVAL_MS = 5000;

  /** Product detail cache lifetime (invalidated on every change anyway). */
  @Transform(envInt)
  @IsInt()
  @Min(1)
  COMMERCE_PRODUCT_CACHE_SECONDS = 3600;
}
