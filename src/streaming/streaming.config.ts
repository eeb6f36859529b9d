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
}
