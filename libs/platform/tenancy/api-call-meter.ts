import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { Pollers } from '../jobs/poller.js';

/** API calls one process counted for one tenant in one flush window, as one usage event. */
export interface ApiCallCount {
  /** Unique per flush and tenant: a flush retried after an unknown outcome is counted once. */
  eventId: string;
  tenantId: string;
  /** The last call's time: the window's calls are dated within a second of when they happened. */
  at: Date;
  count: number;
}

export type ApiCallSink = (counts: ApiCallCount[]) => Promise<void>;

/** How often the buffer is written, ms: the loss window of a crash (SIGKILL). */
export const API_CALL_FLUSH_MS = 1_000;

/**
 * Counts tenant-scoped API calls without slowing them: an increment in a map per request, and a
 * flush every second that hands the sums per (tenant, hour) to the sink (saas writes them as
 * usage events, durably, in one statement). A failed flush keeps its batch, with the same event
 * ids, for the next attempt. Shutdown flushes what is left. A process killed outright loses at
 * most the last second's counts: the README states this window.
 */
@Injectable()
export class ApiCallMeter implements BeforeApplicationShutdown {
  private readonly logger = new Logger(ApiCallMeter.name);
  private counts = new Map<string, { count: number; last: number }>();
  private pending: ApiCallCount[] = [];
  private sink?: ApiCallSink;

  constructor(pollers: Pollers) {
    // Always on, workers or not: the API processes count the calls.
    pollers
      .create({
        name: 'platform.api-call-meter',
        intervalMs: API_CALL_FLUSH_MS,
        autoStart: false,
        run: () => this.flush(),
      })
      .start();
  }

  use(sink: ApiCallSink): void {
    this.sink = sink;
  }

  count(tenantId: string, at = Date.now()): void {
    const seen = this.counts.get(tenantId);
    if (seen) {
      seen.count++;
      seen.last = at;
    } else this.counts.set(tenantId, { count: 1, last: at });
  }

  /** Writes what was counted so far; returns how many events went to the sink. */
  async flush(): Promise<number> {
    if (!this.sink) return 0;
    if (this.counts.size > 0) {
      const batch = uuidv7();
      for (const [tenantId, { count, last }] of this.counts) {
        this.pending.push({ eventId: `api-calls:${batch}`, tenantId, at: new Date(last), count });
      }
      this.counts = new Map();
    }
    if (this.pending.length === 0) return 0;
    await this.sink(this.pending);
    this.pending = [];
    return 0;
  }

  // Before the database pool closes (onApplicationShutdown).
  async beforeApplicationShutdown(): Promise<void> {
    await this.flush().catch((err: unknown) =>
      this.logger.warn({ err: String(err) }, 'the last API-call counts could not be written'),
    );
  }
}
