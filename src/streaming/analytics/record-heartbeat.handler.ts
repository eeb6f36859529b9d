import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactions, type Principal, type Tx } from '@app/platform';
import { v7 as uuidv7 } from 'uuid';
import { VideoAccess } from '../content/video-access.js';
import type { VideoRow } from '../content/video.entity.js';
import { ViewCounted, WatchCompleted } from '../streaming.events.js';
import type { WatchSessionRow } from './analytics.entity.js';
import {
  MAX_HEARTBEAT_WATCH_MS,
  type HeartbeatRequest,
  type HeartbeatResponse,
} from './heartbeat.dto.js';

/** Watched time after which a session counts a view (PeerTube's 10 s). */
export const VIEW_AFTER_MS = 10_000;
/** A viewer's views of one video count at most once per this window (PeerTube's hour). */
export const VIEW_WINDOW = '1 hour';
/** The share of the duration a position must reach for a completion. */
export const COMPLETION_RATIO = 0.9;

export class RecordHeartbeat extends Command<HeartbeatResponse> {
  constructor(
    readonly viewer: Pick<Principal, 'userId' | 'roles'>,
    readonly videoId: string,
    readonly body: HeartbeatRequest,
  ) {
    super();
  }
}

/**
 * A player's heartbeat. In one transaction: the session's row is upserted (which locks it, so a
 * session's heartbeats apply one after the other), the heartbeat is kept as a raw row for the
 * rollups, then
 * - a **view** counts when the session's watched time reaches 10 s (the whole video when it is
 *   shorter) and it has not counted one yet, provided the viewer's previous counted view of the
 *   video is at least an hour old: `last_views` is checked and moved in one atomic upsert (the
 *   row lock makes concurrent heartbeats of other sessions wait and re-check), and the unique
 *   (viewer, video, clock hour) key of `views` backs it. Counting bumps `videos.views`, writes
 *   the `views` row and publishes `streaming.view-counted`, all in this transaction;
 * - a **completion** when the position reaches 90 % of the duration, once per session
 *   (`streaming.watch-completed`).
 * The client is trusted for its watched time (as PeerTube's player is), each heartbeat clamped
 * to 30 s.
 */
@CommandHandler(RecordHeartbeat)
export class RecordHeartbeatHandler implements ICommandHandler<RecordHeartbeat> {
  constructor(
    private readonly transactions: Transactions,
    private readonly access: VideoAccess,
  ) {}

  async execute({ viewer, videoId, body }: RecordHeartbeat): Promise<HeartbeatResponse> {
    const video = await this.access.playable(videoId, viewer);
    const watched = Math.min(body.watchedMs, MAX_HEARTBEAT_WATCH_MS);
    const duration = video.duration_ms ?? null;
    const position = duration !== null ? Math.min(body.positionMs, duration) : body.positionMs;
    return this.transactions.run(async (tx) => {
      const [session] = await tx.manager.query<WatchSessionRow[]>(
        `INSERT INTO streaming.watch_sessions AS s
                (video_id, viewer_id, session_id, watched_ms, position_ms, heartbeats)
         VALUES ($1, $2, $3, $4, $5, 1)
         ON CONFLICT (video_id, viewer_id, session_id) DO UPDATE
            SET watched_ms = s.watched_ms + excluded.watched_ms,
                position_ms = excluded.position_ms,
                heartbeats = s.heartbeats + 1,
                updated_at = now()
         RETURNING *`,
        [videoId, viewer.userId, body.sessionId, watched, position],
      );
      await tx.manager.query(
        `INSERT INTO streaming.watch_heartbeats
                (id, video_id, viewer_id, session_id, watched_ms, position_ms, event)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [uuidv7(), videoId, viewer.userId, body.sessionId, watched, position, body.event ?? null],
      );
      const sessionWatched = Number(session!.watched_ms);
      const threshold =
        duration !== null && duration > 0 ? Math.min(VIEW_AFTER_MS, duration) : VIEW_AFTER_MS;
      const counted =
        session!.counted_at === null && sessionWatched >= threshold
          ? await this.countView(tx, video, viewer.userId, body.sessionId)
          : false;
      let completed = session!.completed_at !== null;
      if (
        !completed &&
        duration !== null &&
        duration > 0 &&
        position >= COMPLETION_RATIO * duration
      ) {
        // An UPDATE … RETURNING answers [rows, affected].
        const [[{ at }]] = (await tx.manager.query(
          `UPDATE streaming.watch_sessions SET completed_at = now()
            WHERE video_id = $1 AND viewer_id = $2 AND session_id = $3 RETURNING completed_at AS at`,
          [videoId, viewer.userId, body.sessionId],
        )) as [{ at: Date }[], number];
        await tx.publish(
          new WatchCompleted({ videoId, viewerId: viewer.userId, at: at.toISOString() }),
        );
        completed = true;
      }
      return { counted, sessionWatchedMs: sessionWatched, completed };
    });
  }

  /** Counts the session's view unless the viewer's last one of the video is under an hour old. */
  private async countView(
    tx: Tx,
    video: VideoRow,
    viewerId: string,
    sessionId: string,
  ): Promise<boolean> {
    const [guard] = await tx.manager.query<{ at: Date }[]>(
      `INSERT INTO streaming.last_views AS l (viewer_id, video_id, last_view_at)
       VALUES ($1, $2, now())
       ON CONFLICT (viewer_id, video_id) DO UPDATE SET last_view_at = excluded.last_view_at
        WHERE l.last_view_at <= excluded.last_view_at - interval '${VIEW_WINDOW}'
       RETURNING last_view_at AS at`,
      [viewerId, video.id],
    );
    if (!guard) return false;
    const [inserted] = await tx.manager.query<{ id: string }[]>(
      `INSERT INTO streaming.views (id, video_id, viewer_id, session_id, at, hour)
       VALUES ($1, $2, $3, $4, $5, date_trunc('hour', $5::timestamptz, 'UTC'))
       ON CONFLICT (viewer_id, video_id, hour) DO NOTHING RETURNING id`,
      [uuidv7(), video.id, viewerId, sessionId, guard.at],
    );
    if (!inserted) return false;
    await tx.manager.query(
      `UPDATE streaming.watch_sessions SET counted_at = $4
        WHERE video_id = $1 AND viewer_id = $2 AND session_id = $3`,
      [video.id, viewerId, sessionId, guard.at],
    );
    await tx.manager.query(`UPDATE streaming.videos SET views = views + 1 WHERE id = $1`, [
      video.id,
    ]);
    await tx.publish(
      new ViewCounted({
        videoId: video.id,
        channelId: video.channel_id,
        viewerId,
        at: guard.at.toISOString(),
      }),
    );
    return true;
  }
}
