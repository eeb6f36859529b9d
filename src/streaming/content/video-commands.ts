import { Logger } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ObjectStorage, Transactions, type Principal } from '@app/platform';
import { v7 as uuidv7 } from 'uuid';
import { StreamingError } from '../streaming.error.js';
import type { CreateVideoRequest, UpdateVideoRequest, VideoView } from './video.dto.js';
import type { RenditionRow, VideoRow } from './video.entity.js';
import { isOwner, VideoAccess } from './video-access.js';
import { videoKeys } from './video-keys.js';
import { addTimeline, VideoViews } from './video-views.js';

type Caller = Pick<Principal, 'userId' | 'roles'>;

export class CreateVideo extends Command<VideoView> {
  constructor(
    readonly caller: Caller,
    readonly body: CreateVideoRequest,
  ) {
    super();
  }
}

export class UpdateVideo extends Command<VideoView> {
  constructor(
    readonly caller: Caller,
    readonly videoId: string,
    readonly body: UpdateVideoRequest,
  ) {
    super();
  }
}

export class DeleteVideo extends Command<void> {
  constructor(
    readonly caller: Caller,
    readonly videoId: string,
  ) {
    super();
  }
}

/** A video of the caller's channel, UPLOADING, with its timeline's first entry. */
@CommandHandler(CreateVideo)
export class CreateVideoHandler implements ICommandHandler<CreateVideo> {
  constructor(
    private readonly transactions: Transactions,
    private readonly views: VideoViews,
  ) {}

  execute({ caller, body }: CreateVideo): Promise<VideoView> {
    return this.transactions.run(async (tx) => {
      const [row] = await tx.manager.query<VideoRow[]>(
        `INSERT INTO streaming.videos (id, channel_id, title, description, tags, visibility, state)
         VALUES ($1, $2, $3, $4, $5, $6, 'UPLOADING') RETURNING *`,
        [
          uuidv7(),
          caller.userId,
          body.title,
          body.description ?? '',
          body.tags ?? [],
          body.visibility ?? 'public',
        ],
      );
      await addTimeline(tx.manager, row!.id, 'UPLOADING', 'created; waiting for the source file');
      return this.views.one(row!, caller, tx.manager);
    });
  }
}

/** The video for a change by its channel: 404 when the caller cannot see it, 403 when not theirs. */
async function ownVideo(
  access: VideoAccess,
  caller: Caller,
  videoId: string,
  manager: Parameters<VideoAccess['visible']>[2],
): Promise<VideoRow> {
  const video = await access.visible(videoId, caller, manager);
  if (!isOwner(video, caller)) {
    throw new StreamingError(
      'streaming.not_channel_owner',
      'Only the channel that uploaded this video can change it.',
    );
  }
  return video;
}

/** Title, description, tags, visibility: only those sent change. */
@CommandHandler(UpdateVideo)
export class UpdateVideoHandler implements ICommandHandler<UpdateVideo> {
  constructor(
    private readonly transactions: Transactions,
    private readonly access: VideoAccess,
    private readonly views: VideoViews,
  ) {}

  execute({ caller, videoId, body }: UpdateVideo): Promise<VideoView> {
    return this.transactions.run(async (tx) => {
      await ownVideo(this.access, caller, videoId, tx.manager);
      const [rows] = await tx.manager.query<[VideoRow[], number]>(
        `UPDATE streaming.videos
            SET title = COALESCE($2, title), description = COALESCE($3, description),
                tags = COALESCE($4, tags), visibility = COALESCE($5, visibility),
                updated_at = now()
          WHERE id = $1 RETURNING *`,
        [
          videoId,
          body.title ?? null,
          body.description ?? null,
          body.tags ?? null,
          body.visibility ?? null,
        ],
      );
      return this.views.one(rows[0]!, caller, tx.manager);
    });
  }
}

/**
 * Removes the video's rows and, once that committed, every object it knows of: the source, each
 * rendition's playlist and segments, the master playlist, the poster and the storyboard.
 */
@CommandHandler(DeleteVideo)
export class DeleteVideoHandler implements ICommandHandler<DeleteVideo> {
  private readonly logger = new Logger(DeleteVideoHandler.name);

  constructor(
    private readonly transactions: Transactions,
    private readonly access: VideoAccess,
    private readonly storage: ObjectStorage,
  ) {}

  execute({ caller, videoId }: DeleteVideo): Promise<void> {
    return this.transactions.run(async (tx) => {
      const video = await ownVideo(this.access, caller, videoId, tx.manager);
      const [renditions] = await tx.manager.query<[RenditionRow[], number]>(
        `DELETE FROM streaming.renditions WHERE video_id = $1 RETURNING *`,
        [videoId],
      );
      await tx.manager.query(`DELETE FROM streaming.video_timeline WHERE video_id = $1`, [videoId]);
      await tx.manager.query(`DELETE FROM streaming.videos WHERE id = $1`, [videoId]);
      const keys = new Set<string>([
        video.source_key ?? videoKeys.source(videoId),
        video.master_key ?? videoKeys.master(videoId),
        videoKeys.poster(videoId),
        videoKeys.storyboard(videoId),
        ...renditions.flatMap((r) => [
          ...(r.playlist_key ? [r.playlist_key] : [videoKeys.playlist(videoId, r.name)]),
          ...r.segment_keys,
        ]),
      ]);
      tx.afterCommit(() => this.remove([...keys]));
    });
  }

  private async remove(keys: string[]): Promise<void> {
    const results = await Promise.allSettled(keys.map((k) => this.storage.delete(k)));
    for (const [i, r] of results.entries()) {
      if (r.status === 'rejected') {
        this.logger.error(
          { err: r.reason, key: keys[i] },
          'could not remove a deleted video’s object',
        );
      }
    }
  }
}
