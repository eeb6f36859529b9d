import { envInt } from '@app/platform';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

/** Social's environment variables (validated at boot when the process hosts social). */
export class SocialConfig {
  /**
   * Followers at which an author becomes a celebrity: their posts are no longer pushed into
   * followers' feeds but merged in when a follower reads (fan-out on read).
   */
  @Transform(envInt)
  @IsInt()
  @Min(2)
  SOCIAL_CELEBRITY_THRESHOLD = 10_000;

  /**
   * Hysteresis: a celebrity goes back to fan-out on write only below this percentage of the
   * threshold (90 % of 10,000 = 9,000), so an account hovering at the threshold does not flip.
   */
  @Transform(envInt)
  @IsInt()
  @Min(1)
  @Max(100)
  SOCIAL_CELEBRITY_EXIT_PERCENT = 90;

  /** Items a pushed feed (`social:feed:{userId}`) keeps; older pages are read from PostgreSQL. */
  @Transform(envInt)
  @IsInt()
  @Min(20)
  SOCIAL_FEED_MAX = 800;

  /** Followers per fan-out job (one pipelined batch of ZADDs each). */
  @Transform(envInt)
  @IsInt()
  @Min(1)
  SOCIAL_FANOUT_CHUNK = 1000;

  /** Readers who have not read their feed for this many days are skipped by fan-out. */
  @Transform(envInt)
  @IsInt()
  @Min(1)
  SOCIAL_ACTIVE_DAYS = 7;
}
