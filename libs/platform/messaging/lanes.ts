import type { IntegrationEvent } from '@app/contracts';

export type DeliveryOutcome = 'consumed' | 'duplicate' | 'failed';

interface Queued {
  event: IntegrationEvent;
  settle: (outcome: DeliveryOutcome) => void;
}

/** One consumer's queue, delivered by at most one loop at a time (in order). */
interface Lane {
  queue: Queued[];
  running: boolean;
}

/** Delivers a batch of one consumer's events; never rejects (see Inbox.deliverBatch). */
export type BatchDelivery<C> = (
  consumer: C,
  events: IntegrationEvent[],
) => Promise<DeliveryOutcome[]>;

/**
 * One lane per consumer. A lane delivers in arrival order, one batch at a time, taking whatever
 * has queued up meanwhile as its next batch (≤ `batchSize`). Lanes are independent: a slow
 * consumer delays only its own events. `belowCapacity` lets the relay stop claiming while too
 * many events wait.
 */
export class Lanes<C> {
  private readonly lanes = new Map<C, Lane>();
  private queued = 0;
  private readonly capacityWaiters: (() => void)[] = [];

  constructor(
    private readonly batchSize: number,
    private readonly deliver: BatchDelivery<C>,
    private readonly onUnrecorded: (consumer: C, err: unknown) => void,
  ) {}

  /** Queues `event` for `consumer`; settles with its outcome once delivered. */
  push(consumer: C, event: IntegrationEvent): Promise<DeliveryOutcome> {
    let lane = this.lanes.get(consumer);
    if (!lane) {
      lane = { queue: [], running: false };
      this.lanes.set(consumer, lane);
    }
    const queue = lane.queue;
    const outcome = new Promise<DeliveryOutcome>((settle) => queue.push({ event, settle }));
    this.queued++;
    if (!lane.running) void this.run(consumer, lane);
    return outcome;
  }

  /** Resolves once fewer than `limit` events wait in (or are being delivered by) the lanes. */
  async belowCapacity(limit: number): Promise<void> {
    while (this.queued >= limit) await new Promise<void>((r) => this.capacityWaiters.push(r));
  }

  /** Delivers a consumer's queued events, batch after batch, until its queue is empty. */
  private async run(consumer: C, lane: Lane): Promise<void> {
    lane.running = true;
    // A relay batch is published in one synchronous call: let all of it reach the queue.
    await Promise.resolve();
    try {
      while (lane.queue.length > 0) {
        const batch = lane.queue.splice(0, this.batchSize);
        let outcomes: DeliveryOutcome[];
        try {
          outcomes = await this.deliver(
            consumer,
            batch.map((q) => q.event),
          );
        } catch (err) {
          // Could not even record the failure (database down?): the rows stay pending under
          // their lease, and the retry poller delivers them once it expires.
          this.onUnrecorded(consumer, err);
          outcomes = batch.map(() => 'failed');
        }
        batch.forEach((q, i) => q.settle(outcomes[i]!));
        this.queued -= batch.length;
        for (const wake of this.capacityWaiters.splice(0)) wake();
      }
    } finally {
      lane.running = false;
    }
  }
}
