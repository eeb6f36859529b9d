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

  /** Largest image upload (`POST /v1/social/media`), bytes: 413 `social.media_too_large` past it. */
  @Transform(envInt)
  @IsInt()
  @Min(1)
  SOCIAL_MEDIA_MAX_IMAGE_BYTES = 10 * 1024 * 1024;

  /** Largest video upload, bytes (videos are stored as-is and streamed, never held in memory). */
  @Transform(envInt)
  @IsInt()
  @Min(1)
  SOCIAL_MEDIA_MAX_VIDEO_BYTES = 100 * 1024 * 1024;

  /**
   * The fan-out worker's BullMQ job lock (`lockDuration`): a job whose worker died (SIGKILL, OOM)
   * is handed to another worker once its lock lapses — as NOTIFICATIONS_JOB_LOCK_MS does for
   * deliveries. Re-running a chunk adds nothing, so a short lock costs only a repeated ZADD.
   */
  @Transform(envInt)
  @IsInt()
  @Min(500)
  SOCIAL_FANOUT_LOCK_MS = 30_000;

  /** How often fan-out workers look for jobs whose lock lapsed (BullMQ `stalledInterval`). */
  @Transform(envInt)
  @IsInt()
  @Min(100)
  SOCIAL_FANOUT_STALLED_CHECK_MS = 30_000;

  /** `/graphql`: how deeply fields may nest below the operation (introspection not counted). */
  @Transform(envInt)
  @IsInt()
  @Min(3)
  @Max(50)
  SOCIAL_GRAPHQL_MAX_DEPTH = 8;

  /**
   * `/graphql`: the most a query may cost, each field counting 1 multiplied by the `first` of
   * every list around it (a feed of 20 posts with authors and 3 comments each costs ≈ 500).
   */
  @Transform(envInt)
  @IsInt()
  @Min(10)
  SOCIAL_GRAPHQL_MAX_COST = 5000;

  /**
   * After an author leaves the celebrity tier, readers keep merging their author set for this
   * long, while the backfill of their celebrity-time posts into followers' feeds runs.
   */
  @Transform(envInt)
  @IsInt()
  @Min(1)
  SOCIAL_TIER_EXIT_MERGE_SECONDS = 3600;
}
