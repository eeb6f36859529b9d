import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ObjectStorage, type Principal } from '@app/platform';
import type { DataSource } from 'typeorm';
import { VideoAccess } from '../content/video-access.js';
import { videoKeys } from '../content/video-keys.js';
import type { VideoRow } from '../content/video.entity.js';
import { StreamingError } from '../streaming.error.js';
import { PlaybackTokens, mediaPrefix, UNSIGNED } from './playback-token.js';
import type { PlaybackView } from './playback.dto.js';
import { playerPage, PlayerAssets } from './player-assets.js';

function ready(video: VideoRow): VideoRow {
  if (video.state === 'READY' && video.master_key) return video;
  throw new StreamingError('streaming.invalid_state', `The video is ${video.state}, not READY.`, {
    state: video.state,
  });
}

/**
 * Signed playback and the player page. A token is signed only for a viewer VideoAccess lets
 * play the video (its channel, an admin, anyone for public and unlisted, an entitled
 * subscriber for subscriber-only); a private video of another channel is a 404, as unknown.
 */
@Injectable()
export class Playback {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: VideoAccess,
    private readonly tokens: PlaybackTokens,
    private readonly storage: ObjectStorage,
    private readonly assets: PlayerAssets,
  ) {}

  async sign(videoId: string, viewer: Principal): Promise<PlaybackView> {
    ready(await this.access.playable(videoId, viewer));
    const { token, expiresAt } = this.tokens.sign(videoId);
    const base = `${mediaPrefix(videoId)}${token}`;
    const [poster, storyboard] = await Promise.all([
      this.storage.head(videoKeys.poster(videoId)),
      this.storage.head(videoKeys.storyboard(videoId)),
    ]);
    return {
      url: `${base}/master.m3u8`,
      token,
      expiresAt: expiresAt.toISOString(),
      posterUrl: poster ? `${base}/poster.jpg` : null,
      storyboardUrl: storyboard ? `${base}/storyboard.jpg` : null,
      playerUrl: `/v1/streaming/videos/${videoId}/player?token=${token}`,
    };
  }

  /**
   * The player page: with a token, for that token's video; without, for a public or unlisted
   * READY video (unsigned URLs). A subscriber-only video without a token is a 403 naming the
   * playback route, a private or unknown one a 404.
   */
  async page(videoId: string, token: string | undefined): Promise<string> {
    if (token !== undefined && !this.tokens.verify(videoId, token)) {
      throw new StreamingError(
        'streaming.playback_token_invalid',
        'The playback token is expired, tampered with or for another video.',
      );
    }
    // A token was signed for someone allowed to play it (a private video's channel, say).
    const video = ready(
      token === undefined ? await this.access.visible(videoId, undefined) : await this.row(videoId),
    );
    if (token === undefined && video.visibility === 'subscribers') {
      throw new StreamingError(
        'streaming.playback_token_invalid',
        'This video plays only with a playback token: ask GET /v1/streaming/videos/{id}/playback and open the player with ?token=.',
      );
    }
    const base = `${mediaPrefix(videoId)}${token ?? UNSIGNED}`;
    return playerPage(this.assets, video.title, `${base}/master.m3u8`, `${base}/poster.jpg`);
  }

  private async row(videoId: string): Promise<VideoRow> {
    const [video] = await this.db.query<VideoRow[]>(
      `SELECT * FROM streaming.videos WHERE id = $1`,
      [videoId],
    );
    if (video) return video;
    throw new StreamingError('streaming.video_not_found', `No video ${videoId} that you can see.`);
  }
}
