/**
 * Deterministic simulation support (issue #11 §2): a seeded scheduler takes the place of the
 * relay, the inbox's lanes and retry poller, and the follow-ups a commit starts, so the test —
 * not the event loop — decides what runs next. One decision at a time, never two at once: with
 * the same seed the same decisions are made, and every id the product generates (UUID v7,
 * monotonic in one process) comes in the same relative order, so a seed replays identically.
 *
 * Why our own PRNG and not fast-check's `scheduler()`: the enabled actions are read from the
 * database after every step (pending deliveries, free sagas, open holds), and each run builds a
 * world in PostgreSQL; fast-check schedules promises it created and shrinks by re-running, which
 * would rebuild a world per shrink attempt. A seed plus the printed decision trace is the replay.
 */
import type { EventEnvelope, IntegrationEvent } from '@app/contracts';
import { Inbox, OutboxRelay, type Tx } from '@app/platform';
import { ConsumerRegistry } from '../platform/messaging/consumer-registry.js';
import type { TestApp } from './test-app.js';

/** mulberry32: tiny, fast, and the same sequence for the same seed on every platform. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** In [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from nothing');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** One of the entries, in proportion to its weight. */
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    const total = entries.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [value, w] of entries) {
      r -= w;
      if (r < 0) return value;
    }
    return entries[entries.length - 1]![0];
  }

  /** `count` distinct items in random order. */
  sample<T>(items: readonly T[], count: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < count && pool.length > 0)
      out.push(pool.splice(Math.floor(this.next() * pool.length), 1)[0]!);
    return out;
  }
}

/**
 * What to run: `SIM_SEED=<n>` replays seed n (with `SIM_RUNS=<k>`: seeds n … n+k-1); else
 * `SIM_RUNS` seeds from a fresh random start, or as many as fit `budgetMs` (at least `minRuns`).
 */
export interface SimulationPlan {
  /** Runs use firstSeed, firstSeed + 1, … */
  firstSeed: number;
  /** Exactly this many runs, or undefined: until the budget is spent. */
  runs?: number;
  budgetMs: number;
  minRuns: number;
}

export function simulationPlan(defaults: { budgetMs: number; minRuns: number }): SimulationPlan {
  const runs = process.env.SIM_RUNS ? Number(process.env.SIM_RUNS) : undefined;
  const seed = process.env.SIM_SEED;
  if (seed) return { firstSeed: Number(seed) >>> 0, runs: runs ?? 1, ...defaults };
  // A fresh range every run of the suite, so each run explores seeds no run tried before.
  const firstSeed = Math.floor(Math.random() * 2 ** 31);
  return { firstSeed, runs, ...defaults };
}

/** A consumer made to fail after its effects, before its transaction commits. */
export class ConsumerCrash extends Error {
  override readonly name = 'ConsumerCrash';
}

/** One pending (event, consumer) delivery, as the inbox holds it. */
export interface PendingDelivery {
  eventId: string;
  consumer: string;
  type: string;
  attempts: number;
  envelope: EventEnvelope;
}

/** A follow-up a commit started (e.g. a saga's first run), held until the scheduler runs it. */
export interface DeferredCall {
  /** Orders the queue deterministically (e.g. the saga id: UUID v7, creation order). */
  key: string;
  what: string;
  run: () => Promise<unknown>;
}

/**
 * Takes the app's messaging out of the event loop's hands (boot it with WORKERS=false, so no
 * poller runs): the relay's claim still writes the pending inbox rows but hands the batch to
 * nobody, deliveries run only when `deliver` is called — through the inbox's real delivery path
 * (claim in the consumer's transaction, consume, record the failure) — and follow-ups that a
 * delivery's commit starts are queued instead of run.
 */
export class MessagingControl {
  readonly deferred: DeferredCall[] = [];
  private readonly crashes = new Map<string, number>();
  private delivering = false;

  private constructor(
    private readonly t: TestApp,
    private readonly inbox: Inbox,
    private readonly relay: OutboxRelay,
    private readonly registry: ConsumerRegistry,
  ) {}

  static async install(t: TestApp): Promise<MessagingControl> {
    const inbox = t.resolve(Inbox);
    const control = new MessagingControl(
      t,
      inbox,
      t.resolve(OutboxRelay),
      t.resolve(ConsumerRegistry),
    );
    // Registered before anything is published, so every claim fans out to every consumer.
    await inbox.register();
    // The relay's in-process handoff: nobody. Deliveries are the scheduler's decisions.
    inbox.dispatch = async () => {};
    for (const name of control.registry.names) {
      const instance = control.registry.get(name)!.instance;
      const consume = instance.consume.bind(instance);
      instance.consume = async (event: IntegrationEvent, tx: Tx) => {
        await consume(event, tx);
        if (control.takeCrash(event.metadata!.id, name))
          throw new ConsumerCrash(`simulated crash in ${name} before its commit`);
      };
    }
    return control;
  }

  get consumerNames(): string[] {
    return this.registry.names;
  }

  /**
   * Calls to `instance[method]` made while a delivery runs (from its afterCommit) are queued in
   * `deferred` rather than run: the scheduler runs them later, or never (the process "died").
   */
  deferDuringDelivery<T extends object, K extends keyof T & string>(
    instance: T,
    method: K,
    describe: (...args: never[]) => { key: string; what: string },
  ): void {
    const original = (instance[method] as (...args: unknown[]) => Promise<unknown>).bind(instance);
    (instance as Record<string, unknown>)[method] = (...args: unknown[]) => {
      if (!this.delivering) return original(...args);
      this.deferred.push({ ...describe(...(args as never[])), run: () => original(...args) });
      this.deferred.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      return Promise.resolve(undefined);
    };
  }

  /** Makes the next `times` runs of this consumer on this event throw after their effects. */
  crash(eventId: string, consumer: string, times: number): void {
    this.crashes.set(`${eventId}|${consumer}`, times);
  }

  private takeCrash(eventId: string, consumer: string): boolean {
    const key = `${eventId}|${consumer}`;
    const left = this.crashes.get(key) ?? 0;
    if (left <= 0) return false;
    if (left === 1) this.crashes.delete(key);
    else this.crashes.set(key, left - 1);
    return true;
  }

  /** The relay's claim of up to `limit` committed outbox rows (marked dispatched, inbox rows written). */
  claim(limit: number): Promise<number> {
    return this.relay.dispatchBatch(limit);
  }

  /** Committed outbox rows not claimed yet (of events with an id above `since`, if given). */
  async undispatched(since?: string): Promise<number> {
    const [{ n }] = await this.t.dataSource.query(
      `SELECT count(*)::int n FROM platform.outbox WHERE dispatched_at IS NULL AND ($1::uuid IS NULL OR id > $1)`,
      [since ?? null],
    );
    return n;
  }

  /**
   * Pending deliveries in a deterministic order (event id = creation order, then consumer), of
   * events with an id above `since` if given (what an earlier run left behind is not this one's).
   */
  async pending(since?: string): Promise<PendingDelivery[]> {
    const rows: {
      event_id: string;
      consumer: string;
      event_type: string;
      attempts: number;
      envelope: EventEnvelope;
    }[] = await this.t.dataSource.query(
      `SELECT event_id, consumer, event_type, attempts, envelope FROM platform.inbox
        WHERE status = 'pending' AND ($1::uuid IS NULL OR event_id > $1) ORDER BY event_id, consumer`,
      [since ?? null],
    );
    return rows.map((r) => ({
      eventId: r.event_id,
      consumer: r.consumer,
      type: r.event_type,
      attempts: r.attempts,
      envelope: r.envelope,
    }));
  }

  /**
   * Delivers these envelopes to one consumer as one lane batch would (one transaction; a
   * failure falls back to one transaction per event). The same envelope twice in one call is a
   * concurrent duplicate delivery. Returns each row's status afterwards.
   */
  async deliver(consumer: string, envelopes: EventEnvelope[]): Promise<string[]> {
    const registered = this.registry.get(consumer);
    if (!registered) throw new Error(`no consumer ${consumer}`);
    const events = envelopes.map((e) => this.registry.hydrate(e)!);
    this.delivering = true;
    try {
      // The inbox's own lane delivery, past `private` (bracket access keeps it type-checked).
      await this.inbox['deliverBatch'](registered, events);
    } finally {
      this.delivering = false;
      // An armed crash applies to this delivery only (a duplicate may have found it done).
      for (const e of envelopes) this.crashes.delete(`${e.id}|${consumer}`);
    }
    const rows: { event_id: string; status: string }[] = await this.t.dataSource.query(
      `SELECT event_id, status FROM platform.inbox WHERE consumer = $1 AND event_id = ANY($2::uuid[])`,
      [consumer, envelopes.map((e) => e.id)],
    );
    const status = new Map(rows.map((r) => [r.event_id, r.status]));
    return envelopes.map((e) => status.get(e.id) ?? 'missing');
  }
}

/** One thing the scheduler may do next. */
export interface SimAction {
  name: string;
  weight: number;
  /** Does it, and says what happened (for the trace; logical names only, never ids). */
  run: () => Promise<string>;
}

/**
 * The decision trace of one run: every step's choice and outcome, in logical names, so two
 * runs of one seed can be compared line by line and a failure shows how it got there.
 */
export class Trace {
  readonly lines: string[] = [];
  private n = 0;

  step(line: string): void {
    this.lines.push(`#${++this.n} ${line}`);
  }

  note(line: string): void {
    this.lines.push(`   ${line}`);
  }

  get steps(): number {
    return this.n;
  }
}

/** Picks one enabled action by weight and runs it; a throw is recorded as the step's outcome. */
export async function runStep(rng: Rng, trace: Trace, actions: SimAction[]): Promise<void> {
  const enabled = actions.filter((a) => a.weight > 0);
  const action = rng.weighted(enabled.map((a) => [a, a.weight] as const));
  trace.step(`${action.name} → ${await action.run()}`);
}

/** The message a failing seed fails with: the seed, how to replay it, the problems, the trace. */
export function failureReport(
  seed: number,
  problems: string[],
  trace: Trace,
  specFile: string,
): string {
  return [
    `simulation failed: SIM_SEED=${seed}`,
    `replay: SIM_SEED=${seed} npx vitest run ${specFile}`,
    'problems:',
    ...problems.map((p) => `  ${p}`),
    'trace:',
    ...trace.lines,
  ].join('\n');
}
