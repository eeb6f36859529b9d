import { InternalEvent } from '@app/platform';

/**
 * Streaming's own asynchronous steps (internal events: outbox + inbox guarantees, never on a
 * broker). Analytics publishes them in the transaction that counted the view; recommendations
 * consume them.
 */

/** A view was counted (10 s watched, once per viewer per hour). */
export class ViewCounted extends InternalEvent<{
  videoId: string;
  channelId: string;
  viewerId: string;
  /** ISO-8601 UTC: when the view was counted. */
  at: string;
}> {
  static override readonly type = 'streaming.view-counted';
  static override readonly version = 1;
}

/** A viewer watched a video to its end (≥ 90 % of its duration). */
export class WatchCompleted extends InternalEvent<{
  videoId: string;
  viewerId: string;
  at: string;
}> {
  static override readonly type = 'streaming.watch-completed';
  static override readonly version = 1;
}
