import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Pollers, RequestContext } from '@app/platform';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { StreamingConfig } from '../streaming.config.js';
import { encodeJobId, EncodeJobs, packageJobId } from './encode-jobs.js';
import { EncodeOutcomes } from './encode-outcomes.js';

/** Rows this old (no update since) are considered: younger ones may have their add in flight. */
const GRACE_SECONDS = 10;
const BATCH = 100;

/**
 * The encode pipeline's safety net, at worker start and every STREAMING_ENCODE_SWEEP_MS (in
 * processes that run workers). Jobs are added after the commit that made them due, so a crash
 * in between loses the add; a job can also fail for good without its rendition recording it
 * (a worker that stalled too often, the database down at that moment). The sweep finds:
 * - a PENDING/ENCODING rendition of a PROCESSING video without its job → adds it (same id);
 * - one whose job failed for good → the rendition FAILED (and the video, once);
 * - a PROCESSING video whose renditions are all DONE without its package job → adds it.
 * Adding is idempotent by job id, so sweeping twice, or in several workers, adds nothing more.
 */
@Injectable()
export class EncodeSweep {
  private readonly logger = new Logger(EncodeSweep.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly jobs: EncodeJobs,
    private readonly outcomes: EncodeOutcomes,
    private readonly context: RequestContext,
    config: StreamingConfig,
    pollers: Pollers,
  ) {
    pollers.create({
      name: 'streaming.encode-sweep',
      intervalMs: config.STREAMING_ENCODE_SWEEP_MS,
      initialDelayMs: 1_000,
      // Never back-to-back: what it fixed is picked up by the workers, not by the next pass.
      run: async () => {
        await this.context.run({ correlationId: uuidv7() }, () => this.sweep());
      },
    });
  }

  /** One pass; answers how many things it fixed (for logs and tests). */
  async sweep(): Promise<number> {
    return (await this.renditions()) + (await this.packages());
  }

  private async renditions(): Promise<number> {
    const rows = await this.db.query<{ video_id: string; name: string }[]>(
      `SELECT r.video_id, r.name
         FROM streaming.renditions r JOIN streaming.videos v ON v.id = r.video_id
        WHERE v.state = 'PROCESSING' AND r.state IN ('PENDING', 'ENCODING')
          AND r.updated_at < now() - make_interval(secs => $1)
        ORDER BY r.updated_at LIMIT $2`,
      [GRACE_SECONDS, BATCH],
    );
    let fixed = 0;
    for (const r of rows) {
      const job = await this.jobs.encodeQueue.getJob(encodeJobId(r.video_id, r.name));
      if (!job) {
        this.logger.warn({ videoId: r.video_id, rendition: r.name }, 'encode job lost; re-adding');
        await this.jobs.encode(r.video_id, [r.name], this.context.correlationId);
        fixed++;
      } else if (await job.isFailed()) {
        const reason = job.failedReason || 'the encode job failed';
        this.logger.warn({ videoId: r.video_id, rendition: r.name, reason }, 'encode job failed');
        await this.outcomes.failed(r.video_id, r.name, reason);
        fixed++;
      }
    }
    return fixed;
  }

  private async packages(): Promise<number> {
    const rows = await this.db.query<{ id: string }[]>(
      `SELECT v.id FROM streaming.videos v
        WHERE v.state = 'PROCESSING' AND v.ready_at IS NULL
          AND v.updated_at < now() - make_interval(secs => $1)
          AND EXISTS (SELECT 1 FROM streaming.renditions r WHERE r.video_id = v.id)
          AND NOT EXISTS (SELECT 1 FROM streaming.renditions r
                           WHERE r.video_id = v.id AND r.state <> 'DONE')
        ORDER BY v.updated_at LIMIT $2`,
      [GRACE_SECONDS, BATCH],
    );
    let fixed = 0;
    for (const { id } of rows) {
      const job = await this.jobs.packageQueue.getJob(packageJobId(id));
      if (job && !(await job.isCompleted()) && !(await job.isFailed())) continue;
      this.logger.warn({ videoId: id }, 'package job lost; re-adding');
      await this.jobs.package(id, this.context.correlationId);
      fixed++;
    }
    return fixed;
  }
}
