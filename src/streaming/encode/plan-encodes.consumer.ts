import { Injectable, Logger } from '@nestjs/common';
import { VideoUploaded } from '@app/contracts/streaming';
import { Consumes, type IntegrationEventConsumer, type Tx } from '@app/platform';
import { EncodeJobs } from './encode-jobs.js';
import { timeline } from './encode-sql.js';
import { planLadder } from './ladder.js';

/**
 * `streaming.video-uploaded` → the ladder planned (one `streaming.renditions` row per rung the
 * source allows), the video PROCESSING with a timeline entry, and after the commit one
 * `streaming.encode` job per rendition. Safe to run again: the rows are inserted ON CONFLICT DO
 * NOTHING, the video moves only from UPLOADED, and the jobs have deterministic ids. A crash
 * between the commit and the enqueue leaves PENDING renditions without a job: EncodeSweep adds
 * them.
 */
@Injectable()
@Consumes(VideoUploaded, 'streaming.plan-encodes')
export class PlanEncodes implements IntegrationEventConsumer<VideoUploaded> {
  private readonly logger = new Logger(PlanEncodes.name);

  constructor(private readonly jobs: EncodeJobs) {}

  async consume(event: VideoUploaded, tx: Tx): Promise<void> {
    const p = event.payload;
    const [video] = await tx.manager.query<{ state: string }[]>(
      `SELECT state FROM streaming.videos WHERE id = $1 FOR UPDATE`,
      [p.videoId],
    );
    if (!video) {
      this.logger.warn({ videoId: p.videoId }, 'video-uploaded for a video that is gone; skipped');
      return;
    }
    if (video.state !== 'UPLOADED') {
      this.logger.warn({ videoId: p.videoId, state: video.state }, 'video not UPLOADED; skipped');
      return;
    }
    const seconds = p.durationMs / 1000;
    const bitrateKbps = seconds > 0 ? (p.sizeBytes * 8) / seconds / 1000 : undefined;
    const ladder = planLadder({ ...p, bitrateKbps });
    for (const r of ladder) {
      await tx.manager.query(
        `INSERT INTO streaming.renditions
                (video_id, name, width, height, fps, video_kbps, max_kbps, audio_kbps)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (video_id, name) DO NOTHING`,
        [p.videoId, r.name, r.width, r.height, r.fps, r.videoKbps, r.maxKbps, r.audioKbps],
      );
    }
    await tx.manager.query(
      `UPDATE streaming.videos SET state = 'PROCESSING', updated_at = now() WHERE id = $1`,
      [p.videoId],
    );
    const names = ladder.map((r) => r.name);
    await timeline(tx.manager, p.videoId, 'PROCESSING', `encoding ${names.join(', ')}`);
    const correlationId = event.metadata?.correlationId ?? event.metadata?.id ?? p.videoId;
    tx.afterCommit(() => this.jobs.encode(p.videoId, names, correlationId));
  }
}
