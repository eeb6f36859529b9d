import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ADMIN_ROLE, type Principal } from '@app/platform';
import { DataSource, type EntityManager } from 'typeorm';
import { StreamingError } from '../streaming.error.js';
import { Entitlements } from '../subscriptions/entitlements.js';
import type { VideoRow } from './video.entity.js';

/** The caller, or none for a public route called without a token. */
export type Viewer = Pick<Principal, 'userId' | 'roles'> | undefined;

export const isOwner = (video: VideoRow, viewer: Viewer) => viewer?.userId === video.channel_id;
const isAdmin = (viewer: Viewer) => viewer?.roles.includes(ADMIN_ROLE) ?? false;

/**
 * Who sees and who plays a video. Its channel (and an admin) always; otherwise:
 * - `public` and `unlisted`: anyone (unlisted is left out of lists and search, not hidden);
 * - `subscribers`: anyone sees the page; it plays only with an active subscription;
 * - `private`: nobody else — it answers 404 exactly as an unknown id does (no oracle).
 * A video that is not READY is seen only by its channel and admins.
 */
@Injectable()
export class VideoAccess {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly entitlements: Entitlements,
  ) {}

  /** The video if `viewer` may see it, else 404 `streaming.video_not_found`. */
  async visible(videoId: string, viewer: Viewer, manager?: EntityManager): Promise<VideoRow> {
    const [video] = await (manager ?? this.db).query<VideoRow[]>(
      `SELECT * FROM streaming.videos WHERE id = $1`,
      [videoId],
    );
    if (video && this.sees(video, viewer)) return video;
    throw new StreamingError('streaming.video_not_found', `No video ${videoId} that you can see.`);
  }

  /** The video if `viewer` may play it: visible, and entitled when it is for subscribers. */
  async playable(videoId: string, viewer: Viewer): Promise<VideoRow> {
    const video = await this.visible(videoId, viewer);
    if (!(await this.plays(video, viewer))) {
      throw new StreamingError(
        'streaming.subscription_required',
        'This video plays only for subscribers of its channel.',
        { channelId: video.channel_id },
      );
    }
    return video;
  }

  /** The video is READY and this viewer may play it (no 404/403 thrown). */
  async plays(video: VideoRow, viewer: Viewer): Promise<boolean> {
    if (!this.sees(video, viewer)) return false;
    if (isOwner(video, viewer) || isAdmin(viewer)) return true;
    if (video.visibility !== 'subscribers') return true;
    return viewer !== undefined && this.entitlements.active(viewer.userId, video.channel_id);
  }

  sees(video: VideoRow, viewer: Viewer): boolean {
    if (isOwner(video, viewer) || isAdmin(viewer)) return true;
    return video.state === 'READY' && video.visibility !== 'private';
  }
}
