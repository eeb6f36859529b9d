import { IntegrationEvent } from '../envelope.js';

/**
 * A video's source was accepted (ffprobe read a video stream within the limits) and stored
 * through the platform storage port; streaming's encoder starts from it. Published in the
 * transaction that moves the video to UPLOADED.
 */
export class VideoUploaded extends IntegrationEvent<{
  videoId: string;
  channelId: string;
  /** The source's key in the platform storage (`streaming/videos/{id}/source`). */
  sourceKey: string;
  sizeBytes: number;
  durationMs: number;
  width: number;
  height: number;
  fps: number;
  hasAudio: boolean;
}> {
  static override readonly type = 'streaming.video-uploaded';
  static override readonly version = 1;
}

/** Every planned rendition and the master playlist exist: the video plays. Published once. */
export class VideoReady extends IntegrationEvent<{
  videoId: string;
  channelId: string;
  /** The rendition names, highest first (`1080p`, `720p`, `480p`). */
  renditions: string[];
  durationMs: number;
  /** The master playlist's key in the platform storage. */
  masterKey: string;
}> {
  static override readonly type = 'streaming.video-ready';
  static override readonly version = 1;
}

/** A rendition exhausted its retries (or the source cannot be encoded): the video is FAILED. */
export class VideoFailed extends IntegrationEvent<{
  videoId: string;
  channelId: string;
  /** The rendition that failed, or null when the whole video did (e.g. its source is gone). */
  rendition: string | null;
  /** The last lines of ffmpeg's error output (at most 2,000 characters), never the whole log. */
  reason: string;
}> {
  static override readonly type = 'streaming.video-failed';
  static override readonly version = 1;
}
