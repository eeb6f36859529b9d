import { Injectable } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { StreamingConfig } from '../streaming.config.js';

/** The path prefix every media URL of a video starts with (the token's scope). */
export const mediaPrefix = (videoId: string) => `/v1/streaming/media/${videoId}/`;

/** The path segment that stands for "no token": public and unlisted READY videos only. */
export const UNSIGNED = 'public';

/** `v1.<exp in base 36>.<43 base64url characters of HMAC-SHA256>`. */
const TOKEN = /^v1\.([0-9a-z]{1,11})\.([A-Za-z0-9_-]{43})$/;
export const TOKEN_MAX_LENGTH = 60;

export interface SignedPlayback {
  token: string;
  expiresAt: Date;
}

/**
 * Playback tokens (README › Streaming › Playback): an HMAC-SHA256, keyed with
 * STREAMING_PLAYBACK_SECRET, over the video's media path prefix and an expiry. The token is a
 * path segment (`/v1/streaming/media/{videoId}/{token}/master.m3u8`) so the relative URIs of the
 * playlists (`720p/index.m3u8`, `seg-00001.m4s`) carry it to every file of the package; a CDN
 * checks it at the edge with the same key and drops that segment from its cache key. No viewer
 * id in it: URLs end up in logs and referrers, and who may play was checked when it was signed.
 */
@Injectable()
export class PlaybackTokens {
  constructor(private readonly config: StreamingConfig) {}

  sign(videoId: string, now = Date.now()): SignedPlayback {
    const exp = Math.floor(now / 1000) + this.config.STREAMING_PLAYBACK_TTL_SECONDS;
    return { token: this.signUntil(videoId, exp), expiresAt: new Date(exp * 1000) };
  }

  /** A token valid until `exp` (seconds since the epoch); tests sign past expiries with it. */
  signUntil(videoId: string, exp: number): string {
    const e = exp.toString(36);
    return `v1.${e}.${this.mac(videoId, e).toString('base64url')}`;
  }

  /** Whether `token` is one of ours, for this video, and not expired (constant-time compare). */
  verify(videoId: string, token: string, now = Date.now()): boolean {
    const m = TOKEN.exec(token);
    if (!m) return false;
    const given = Buffer.from(m[2]!, 'base64url');
    const expected = this.mac(videoId, m[1]!);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
    return parseInt(m[1]!, 36) * 1000 > now;
  }

  private mac(videoId: string, exp36: string): Buffer {
    return createHmac('sha256', this.config.STREAMING_PLAYBACK_SECRET)
      .update(`v1\n${mediaPrefix(videoId)}\n${exp36}`)
      .digest();
  }
}
