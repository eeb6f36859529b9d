import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { Metrics } from '../observability/metrics.js';

export interface PollerOptions {
  /** `<context>.<task>`, used in logs and the `five_poller_failures_total` metric. */
  name: string;
  /** Pause between runs that found nothing to do (or failed). */
  intervalMs: number;
  /** Delay before the first run (default 0). */
  initialDelayMs?: number;
  /** One unit of work. Returning a number > 0 (items handled) runs it again at once. */
  run: () => Promise<number | void>;
  /**
   * Started by Pollers at bootstrap when WORKERS=true (default). `false`: its owner starts it
   * (the relay registers its consumers first); it is still stopped at shutdown.
   */
  autoStart?: boolean;
}

/**
 * One periodic task: at most one run at a time, a kick during a run asks for another right
 * after, a failing run is logged and counted and retried after the interval, and `stop` waits
 * for the run in progress. Create it with `Pollers.create`.
 *
 * Why a loop and not a BullMQ job scheduler: these tasks run every few milliseconds to seconds,
 * are woken by in-process signals (commits) and must stop before the database pool closes; a
 * Redis round trip per tick and a separate worker lifecycle would buy nothing here. The hourly
 * maintenance work does use a BullMQ job scheduler (MessagingMaintenance).
 */
export class Poller {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = true;

  constructor(
    private readonly options: PollerOptions,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {}

  get name(): string {
    return this.options.name;
  }

  get autoStart(): boolean {
    return this.options.autoStart !== false;
  }

  get isRunning(): boolean {
    return !this.stopped;
  }

  /** Starts polling (idempotent). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(this.options.initialDelayMs ?? 0);
  }

  /** Stops polling and waits for the run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Asks for a run now; coalesces with the one in progress (it runs once more after it). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    // Marked running before the first await, so a kick from inside the run only asks for another.
    this.running = Promise.resolve()
      .then(() => this.loop())
      .finally(() => {
        this.running = undefined;
        if (!this.stopped) this.schedule(this.options.intervalMs);
      });
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.kick(), ms);
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      let handled: number | void;
      try {
        handled = await this.options.run();
      } catch (err) {
        this.metrics.pollerFailures.inc({ poller: this.options.name });
        this.logger.error({ err, poller: this.options.name }, 'periodic task failed; will retry');
        return;
      }
      if (typeof handled === 'number' && handled > 0) this.again = true;
      // Let I/O callbacks (and shutdown) in between back-to-back runs.
      if (this.again) await new Promise((r) => setImmediate(r));
    } while (this.again && !this.stopped);
  }
}

/**
 * The platform's one way to run periodic work. Pollers created by providers start when the
 * application has bootstrapped — in processes that run workers (WORKERS=true) — and all stop,
 * each waiting for its run in progress, first thing at shutdown (before pools close).
 */
@Injectable()
export class Pollers implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(Pollers.name);
  private readonly pollers: Poller[] = [];
  private bootstrapped = false;

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  create(options: PollerOptions): Poller {
    const poller = new Poller(options, this.logger, this.metrics);
    this.pollers.push(poller);
    if (this.bootstrapped && this.config.WORKERS && options.autoStart !== false) poller.start();
    return poller;
  }

  onApplicationBootstrap(): void {
    this.bootstrapped = true;
    if (!this.config.WORKERS) return;
    for (const poller of this.pollers) if (poller.autoStart) poller.start();
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.pollers.map((p) => p.stop()));
  }
}
