import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { matchesETag, ObjectStorage, parseRange } from '@app/platform';
import type { FastifyReply } from 'fastify';
import type { Readable } from 'node:stream';
import type { DataSource } from 'typeorm';
import { videoKeys } from '../content/video-keys.js';
import type { VideoRow } from '../content/video.entity.js';
import { StreamingError } from '../streaming.error.js';
import {
  conditionHeader,
  mediaPath,
  PLAYLIST_MAX_AGE_SECONDS,
  type RequestHeaders,
} from './media-files.js';
import { OriginShield } from './origin-shield.js';
import { PlaybackTokens, UNSIGNED } from './playback-token.js';

/** What a media route answers: a status, its headers and maybe bytes. */
export interface MediaAnswer {
  status: 200 | 206 | 304 | 416;
  headers: Record<string, string>;
  body?: Buffer | Readable;
}

export interface MediaRequest {
  videoId: string;
  token: string;
  rendition?: string;
  file: string;
  headers: RequestHeaders;
}

/**
 * Serves the files of a video's HLS package (`streaming/videos/{id}/hls/…`) to players and
 * CDNs: the token checked first (no database read for a signed URL, so a segment costs a HMAC
 * and a memory read on a warm shield), then the bytes from the origin shield, with the content
 * type of the extension, `Cache-Control` (segments a year and immutable, playlists seconds), a
 * strong `ETag` (304 on `If-None-Match`) and one byte `Range` (206, 416 past the end).
 */
@Injectable()
export class MediaServer {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tokens: PlaybackTokens,
    private readonly shield: OriginShield,
    private readonly storage: ObjectStorage,
  ) {}

  async serve(req: MediaRequest): Promise<MediaAnswer> {
    const ifNoneMatch = conditionHeader(req.headers, 'if-none-match');
    const ifRange = conditionHeader(req.headers, 'if-range');
    const rangeHeader = conditionHeader(req.headers, 'range');
    const file = mediaPath(req.rendition, req.file);
    await this.authorize(req.videoId, req.token);
    const key = `${videoKeys.hls(req.videoId)}/${file.path}`;
    const found = await this.shield.get(
      key,
      file.playlist ? PLAYLIST_MAX_AGE_SECONDS * 1000 : undefined,
    );
    if (!found) {
      throw new StreamingError('streaming.media_not_found', `No ${file.path} in this video.`);
    }
    const headers: Record<string, string> = {
      'content-type': file.contentType,
      'cache-control': file.cacheControl,
      etag: found.etag,
      'accept-ranges': 'bytes',
      // Players and CDNs of any origin (the URL is the credential; no cookies are read).
      'access-control-allow-origin': '*',
      'cross-origin-resource-policy': 'cross-origin',
    };
    if (matchesETag(ifNoneMatch, found.etag)) return { status: 304, headers };
    const size = found.kind === 'memory' ? found.size : found.info.size;
    const useRange = ifRange === undefined || ifRange === found.etag;
    const range = useRange ? parseRange(rangeHeader, size) : undefined;
    if (range === 'unsatisfiable') {
      return { status: 416, headers: { 'content-range': `bytes */${size}` } };
    }
    if (found.kind === 'memory') {
      if (!range) return { status: 200, headers, body: found.body };
      return {
        status: 206,
        headers: { ...headers, 'content-range': `bytes ${range.start}-${range.end}/${size}` },
        body: found.body.subarray(range.start, range.end + 1),
      };
    }
    const content = await this.storage.get(key, range);
    if (!content) {
      throw new StreamingError('streaming.media_not_found', `No ${file.path} in this video.`);
    }
    if (!content.range) {
      return {
        status: 200,
        headers: { ...headers, 'content-length': String(content.size) },
        body: content.body,
      };
    }
    const { start, end } = content.range;
    return {
      status: 206,
      headers: {
        ...headers,
        'content-length': String(end - start + 1),
        'content-range': `bytes ${start}-${end}/${content.size}`,
      },
      body: content.body,
    };
  }

  /**
   * A signed URL: the token must be ours, unexpired and for this video. The unsigned prefix
   * (`…/{videoId}/public/…`): a READY public or unlisted video; a private or unknown one is a
   * 404 (no oracle), a subscribers one needs a token.
   */
  private async authorize(videoId: string, token: string): Promise<void> {
    if (token !== UNSIGNED) {
      if (this.tokens.verify(videoId, token)) return;
      throw new StreamingError(
        'streaming.playback_token_invalid',
        'The playback token is expired, tampered with or for another video.',
      );
    }
    const [video] = await this.db.query<Pick<VideoRow, 'state' | 'visibility'>[]>(
      `SELECT state, visibility FROM streaming.videos WHERE id = $1`,
      [videoId],
    );
    if (!video || video.state !== 'READY' || video.visibility === 'private') {
      throw new StreamingError(
        'streaming.video_not_found',
        `No video ${videoId} that you can see.`,
      );
    }
    if (video.visibility === 'subscribers') {
      throw new StreamingError(
        'streaming.playback_token_invalid',
        'This video plays only with a signed URL: ask GET /v1/streaming/videos/{id}/playback.',
      );
    }
  }
}

/** Sends the answer (the controller's one line); a 416 becomes its problem+json. */
export function sendMedia(reply: FastifyReply, answer: MediaAnswer): FastifyReply {
  void reply.headers(answer.headers);
  if (answer.status === 416) {
    throw new StreamingError(
      'streaming.media_range_not_satisfiable',
      `The range starts past the end of the file (${answer.headers['content-range']}).`,
    );
  }
  return reply.status(answer.status).send(answer.body);
}
