import { envInt, randomSecret, Secret } from '@app/platform';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import { availableParallelism } from 'node:os';

/** Streaming's environment variables (validated at boot when the process hosts streaming). */
export class StreamingConfig {
  /** ffmpeg to run; unset: the system's (`ffmpeg` on the PATH), else the npm-shipped binary. */
  @IsOptional()
  @IsString()
  FFMPEG_PATH?: string;

  /** ffprobe to run; unset: the system's (`ffprobe` on the PATH), else the npm-shipped binary. */
  @IsOptional()
  @IsString()
  FFPROBE_PATH?: string;

  /** Largest upload (multipart or tus), bytes: 413 `streaming.upload_too_large` past it. */
  @Transform(envInt)
  @IsInt()
  @Min(1)
  STREAMING_MAX_UPLOAD_BYTES = 2 * 1024 * 1024 * 1024;

  /** Largest multipart upload, bytes (bigger files go through tus, which resumes). */
  @Transform(envInt)
  @IsInt()
  @Min(1)
  STREAMING_MAX_MULTIPART_BYTES = 200 * 1024 * 1024;

  /** Longest accepted video, seconds (read by ffprobe): 422 `streaming.video_too_long` past it. */
  @Transform(envInt)
  @IsInt()
  @Min(1)
  STREAMING_MAX_DURATION_SECONDS = 4 * 3600;

  /**
   * Encode jobs one process runs at once (`streaming.encode` worker concurrency). Default: one
   * per 2 cores, so the API keeps a core while encoding.
   */
  @Transform(envInt)
  @IsInt()
  @Min(1)
  @Max(64)
  STREAMING_ENCODE_CONCURRENCY = Math.max(1, Math.floor(availableParallelism() / 2));

  /** ffmpeg's niceness (0–19): encodes yield the CPU to the API. */
  @Transform(envInt)
  @IsInt()
  @Min(0)
  @Max(19)
  STREAMING_ENCODE_NICE = 10;

  /** Attempts per rendition before it is FAILED (exponential backoff between them). */
  @Transform(envInt)
  @IsInt()
  @Min(1)
  @Max(20)
  STREAMING_ENCODE_ATTEMPTS = 3;

  /**
   * The encode worker's BullMQ job lock (`lockDuration`): a job whose worker died (SIGKILL) is
   * handed to another worker once its lock lapses.
   */
  @Transform(envInt)
  @IsInt()
  @Min(500)
  STREAMING_ENCODE_LOCK_MS = 60_000;

  /** How often encode workers look for jobs whose lock lapsed (BullMQ `stalledInterval`). */
  @Transform(envInt)
  @IsInt()
  @Min(100)
  STREAMING_ENCODE_STALLED_CHECK_MS = 30_000;

  /**
   * HMAC key for playback tokens, at least 32 characters. No default: production must set it;
   * elsewhere generated into DATA_DIR. A CDN edge that checks tokens holds the same key.
   */
  @Secret({ generate: randomSecret })
  @IsString()
  @MinLength(32)
  STREAMING_PLAYBACK_SECRET!: string;

  /** How long a playback token is valid, seconds (Mux signs for 7 days; we default to 6 h). */
  @Transform(envInt)
  @IsInt()
  @Min(10)
  @Max(7 * 86_400)
  STREAMING_PLAYBACK_TTL_SECONDS = 6 * 3600;

  /**
   * The origin shield's bound, bytes: hot playlists and segments are kept in memory (LRU) in
   * front of the storage port, the least recently used evicted past it. 0 turns it off.
   */
  @Transform(envInt)
  @IsInt()
  @Min(0)
  STREAMING_SHIELD_MAX_BYTES = 64 * 1024 * 1024;

  /** The largest object the origin shield keeps, bytes (bigger ones stream from storage). */
  @Transform(envInt)
  @IsInt()
  @Min(1)
  STREAMING_SHIELD_MAX_OBJECT_BYTES = 8 * 1024 * 1024;

  /** First retry delay of a failed encode or package job, ms (doubles per attempt). */
  @Transform(envInt)
  @IsInt()
  @Min(10)
  STREAMING_ENCODE_BACKOFF_MS = 5_000;

  /**
   * How often encode workers sweep for lost work: a PROCESSING rendition without its job (a
   * crash between commit and enqueue), a job that failed without marking its rendition, a
   * video whose renditions are all done but which has no package job. Also runs at start.
   */
  @Transform(envInt)
  @IsInt()
  @Min(100)
  STREAMING_ENCODE_SWEEP_MS = 60_000;

  /** Co-visitation window, hours: two videos one viewer watched this close count as a pair. */
  @Transform(envInt)
  @IsInt()
  @Min(1)
  @Max(24 * 30)
  STREAMING_COVISIT_WINDOW_HOURS = 24;

  /** Fewest co-viewers a pair needs before it is a related video (`c_ij ≥` this). */
  @Transform(envInt)
  @IsInt()
  @Min(1)
  STREAMING_COVISIT_MIN_COUNT = 2;

  /** Neighbours kept per video (top K by `c_ij / (c_i · c_j)`). */
  @Transform(envInt)
  @IsInt()
  @Min(1)
  @Max(200)
  STREAMING_RELATED_TOP_K = 30;

  /** Recent views kept per viewer in Redis (the co-visitation window and the reco seeds). */
  @Transform(envInt)
  @IsInt()
  @Min(2)
  @Max(500)
  STREAMING_RECO_HISTORY = 50;

  /** Grace after a failed renewal, hours: a PAST_DUE subscriber still plays subscriber videos. */
  @Transform(envInt)
  @IsInt()
  @Min(1)
  @Max(30 * 24)
  STREAMING_SUBSCRIPTION_GRACE_HOURS = 72;

  /** Requests per renewal (the first one and its retries) before the subscription LAPSES. */
  @Transform(envInt)
  @IsInt()
  @Min(1)
  @Max(10)
  STREAMING_SUBSCRIPTION_RENEWAL_ATTEMPTS = 3;

  /** Hours between the retries of a failed renewal. */
  @Transform(envInt)
  @IsInt()
  @Min(1)
  @Max(7 * 24)
  STREAMING_SUBSCRIPTION_RETRY_HOURS = 24;

  /** How long before a period ends its renewal is charged, minutes. */
  @Transform(envInt)
  @IsInt()
  @Min(0)
  @Max(7 * 24 * 60)
  STREAMING_SUBSCRIPTION_RENEWAL_LEAD_MINUTES = 60;

  /** How often the renewal job (`streaming.subscription-renewal`) runs, ms. */
  @Transform(envInt)
  @IsInt()
  @Min(1000)
  STREAMING_SUBSCRIPTION_RENEWAL_EVERY_MS = 60_000;

  /**
   * How often the analytics rollup (`streaming.analytics-rollup`) recomputes the current and the
   * previous hour of `video_hourly_stats` from the raw rows, ms: channel analytics lag by at most
   * this much.
   */
  @Transform(envInt)
  @IsInt()
  @Min(1000)
  STREAMING_ROLLUP_EVERY_MS = 5 * 60_000;
}
