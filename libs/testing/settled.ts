import { ModulesContainer } from '@nestjs/core';
import { Queue } from 'bullmq';
import type { TestApp } from './test-app.js';

export interface SettledOptions {
  /** Give up (and throw, naming what is still pending) after this long. Default 15 s. */
  timeout?: number;
  /** Pause between checks. Default 50 ms. */
  interval?: number;
  /**
   * More work to wait for, by name: each returns how many items are still pending (e.g. a
   * context's open sagas, read from its own tables by a helper under test/<context>/).
   */
  also?: Record<string, () => Promise<number>>;
}

/** BullMQ job states that mean "will still run". Delayed jobs are counted apart (due time). */
const QUEUED_STATES = ['waiting', 'active', 'prioritized', 'waiting-children'] as const;

/** The BullMQ queues the app declared (every Queue provider of every module). */
function queues(t: TestApp): Queue[] {
  const found = new Set<Queue>();
  for (const module of t.app.get(ModulesContainer).values())
    for (const wrapper of module.providers.values())
      if (wrapper.instance instanceof Queue) found.add(wrapper.instance);
  return [...found];
}

/** Everything still pending, as `what: count` entries (empty when nothing is). */
async function pending(t: TestApp, deadline: number, options: SettledOptions): Promise<string[]> {
  const found: string[] = [];
  const [{ outbox }] = await t.dataSource.query(
    `SELECT count(*)::int AS outbox FROM platform.outbox WHERE dispatched_at IS NULL`,
  );
  if (outbox > 0) found.push(`platform.outbox: ${outbox} undispatched`);
  // `pending` covers due retries, retries backing off and deliveries leased to a worker.
  const inbox: { consumer: string; n: number; leased: number }[] = await t.dataSource.query(
    `SELECT consumer, count(*)::int AS n, count(*) FILTER (WHERE next_attempt_at > now())::int AS leased
       FROM platform.inbox WHERE status = 'pending' GROUP BY consumer ORDER BY consumer`,
  );
  for (const r of inbox)
    found.push(
      `platform.inbox: ${r.n} pending for ${r.consumer} (${r.leased} leased or backing off)`,
    );
  for (const queue of queues(t)) {
    const counts = await queue.getJobCounts(...QUEUED_STATES);
    for (const state of QUEUED_STATES)
      if (counts[state]! > 0) found.push(`queue ${queue.name}: ${counts[state]} ${state}`);
    // A delayed job is pending if it will run before we would give up (a retry backing off, a
    // short delay); a job scheduler's next iteration (`repeat:…`, e.g. the hourly purge) is not.
    const delayed = await t.redis.zrange(queue.keys.delayed!, 0, -1, 'WITHSCORES');
    let due = 0;
    for (let i = 0; i < delayed.length; i += 2) {
      const runsAt = Math.floor(Number(delayed[i + 1]) / 0x1000);
      if (!delayed[i]!.startsWith('repeat:') && runsAt <= deadline) due++;
    }
    if (due > 0) found.push(`queue ${queue.name}: ${due} delayed, due before the timeout`);
  }
  for (const [name, count] of Object.entries(options.also ?? {})) {
    const n = await count();
    if (n > 0) found.push(`${name}: ${n}`);
  }
  return found;
}

/**
 * Waits until the app has nothing left to do: no undispatched outbox row, no pending (or leased)
 * inbox delivery, no BullMQ job waiting, active or delayed-and-due in any of its queues, nor any
 * `also` work — true on two consecutive checks, so an effect that was just handed from one to the
 * next is not mistaken for quiet. Then "exactly once" and "never" can be asserted: whatever was
 * going to happen has happened.
 */
export async function settled(t: TestApp, options: SettledOptions = {}): Promise<void> {
  const { timeout = 15_000, interval = 50 } = options;
  const deadline = Date.now() + timeout;
  let quietChecks = 0;
  for (;;) {
    const found = await pending(t, deadline, options);
    quietChecks = found.length === 0 ? quietChecks + 1 : 0;
    if (quietChecks >= 2) return;
    if (found.length > 0 && Date.now() >= deadline)
      throw new Error(`settled: still pending after ${timeout} ms: ${found.join('; ')}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}
