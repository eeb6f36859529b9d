import { AsyncResource } from 'node:async_hooks';
import type { Histogram } from 'prom-client';

interface Waiting<I, O> {
  item: I;
  resolve: (out: O) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit, the way TigerBeetle batches: requests that arrive while a batch is being written
 * wait, and go together in the next one — so under load N requests share one transaction and one
 * round trip per statement, and alone a request waits for nothing (no timer, no added latency).
 *
 * `write` gets the batch and answers one outcome per item, in order (an expected refusal is an
 * outcome, not a throw). Should it throw, nothing of the batch committed (it is one
 * transaction), and each item is written again alone, so one bad request never fails the others:
 * only the item whose own write throws sees the error.
 *
 * Batches run outside every request's async context (each item carries what it needs of its
 * own, e.g. its events' correlation ids), one at a time per instance.
 */
export class GroupCommit<I, O> {
  private queue: Waiting<I, O>[] = [];
  private writing = false;
  /** The context batches run in: the one this was made in, not whichever request came first. */
  private readonly scope = new AsyncResource('GroupCommit');

  constructor(
    private readonly name: string,
    private readonly write: (items: I[]) => Promise<O[]>,
    private readonly sizes: Histogram<'batch'>,
    private readonly maxBatch = 64,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.writing) this.scope.runInAsyncScope(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, this.maxBatch);
        this.sizes.observe({ batch: this.name }, batch.length);
        await this.writeBatch(batch);
      }
    } finally {
      this.writing = false;
    }
  }

  private async writeBatch(batch: Waiting<I, O>[]): Promise<void> {
    try {
      const outs = await this.write(batch.map((w) => w.item));
      if (outs.length !== batch.length)
        throw new Error(`group commit ${this.name}: ${outs.length} outcomes for ${batch.length}`);
      batch.forEach((w, i) => w.resolve(outs[i]!));
      return;
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
    }
    for (const w of batch) {
      try {
        const [out] = await this.write([w.item]);
        w.resolve(out!);
      } catch (err) {
        w.reject(err);
      }
    }
  }
}
