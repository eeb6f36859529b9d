import { Injectable } from '@nestjs/common';
import { RequestContext, Transactions } from '@app/platform';
import { StreamingError } from '../streaming.error.js';
import { EncodeJobs } from './encode-jobs.js';
import { lockVideo, renditionOf, timeline } from './encode-sql.js';
import type { RenditionRedriveView } from './redrive.dto.js';

/**
 * Re-encodes one FAILED rendition and nothing else (PeerTube #6546): it goes back to PENDING
 * (attempts and error cleared), the video back to PROCESSING (failure reason cleared), and only
 * its `streaming.encode` job is queued again — the job that failed for good is removed first, so
 * the same deterministic id can run once more. The other renditions, DONE, are untouched; when
 * this one is DONE the package step runs and `streaming.video-ready` is published (still once).
 */
@Injectable()
export class RedriveRendition {
  constructor(
    private readonly tx: Transactions,
    private readonly jobs: EncodeJobs,
    private readonly context: RequestContext,
  ) {}

  async redrive(videoId: string, name: string, adminId: string): Promise<RenditionRedriveView> {
    const correlationId = this.context.correlationId;
    return this.tx.run(async (tx) => {
      const video = await lockVideo(tx.manager, videoId);
      if (!video) throw new StreamingError('streaming.video_not_found', `No video ${videoId}.`);
      const rendition = await renditionOf(tx.manager, videoId, name);
      if (!rendition)
        throw new StreamingError(
          'streaming.rendition_not_found',
          `Video ${videoId} has no rendition ${name}.`,
          { rendition: name },
        );
      if (rendition.state !== 'FAILED')
        throw new StreamingError(
          'streaming.invalid_state',
          `Only a FAILED rendition can be re-driven; ${name} is ${rendition.state}.`,
          { state: rendition.state },
        );
      // Before the commit: if it rolls back, the rendition stays FAILED and needs no job.
      await this.jobs.clearFailed(videoId, name);
      await tx.manager.query(
        `UPDATE streaming.renditions
            SET state = 'PENDING', percent = 0, attempts = 0, error = NULL, updated_at = now()
          WHERE video_id = $1 AND name = $2`,
        [videoId, name],
      );
      await tx.manager.query(
        `UPDATE streaming.videos SET state = 'PROCESSING', failure_reason = NULL,
                updated_at = now()
          WHERE id = $1`,
        [videoId],
      );
      await timeline(tx.manager, videoId, 'PROCESSING', `re-drive of ${name} by admin ${adminId}`);
      tx.afterCommit(() => this.jobs.encode(videoId, [name], correlationId));
      return { videoId, rendition: name, state: 'PENDING', videoState: 'PROCESSING' };
    });
  }
}
