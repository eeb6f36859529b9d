import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AsyncResource } from 'node:async_hooks';
import type { IntegrationEvent } from '@app/contracts';
import { DataSource, EntityManager } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel.js';
import { RequestContext } from '../http/request-context.js';
import { backoffMs } from '../messaging/backoff.js';
import { crashPoint } from '../faults/crash-points.js';
import { Outbox } from '../messaging/outbox.js';
import { Metrics } from '../observability/metrics.js';
import { isRetryableTxError } from './pg-errors.js';

/** What a unit of work sees: the transaction's EntityManager and the outbox bound to it. */
export interface Tx {
  readonly manager: EntityManager;
  /**
   * Writes integration events to the outbox inside this transaction: they are delivered if and
   * only if the transaction commits.
   */
  publish(...events: IntegrationEvent[]): Promise<void>;
  /**
   * Runs after a successful commit (never after a rollback), in the caller's async context. A
   * follow-up that throws or rejects is logged with the correlation id and counted
   * (`five_after_commit_failures_total`); the committed work stands.
   */
  afterCommit(fn: () => unknown): void;
}

export interface RunOptions {
  /** Default: the database's (READ COMMITTED), which costs one round trip less to start. */
  isolation?: IsolationLevel;
  /** Attempts on serialization failure / deadlock (default 5). */
  attempts?: number;
  /**
   * Another database to run in (a silo tenant's). The outbox lives in the platform database, so
   * `publish` there throws: a silo transaction's facts go out through a platform-database one.
   */
  dataSource?: DataSource;
  /** The transaction's first statements, before `work` (TenantTransactions enters the tenant). */
  enter?: (manager: EntityManager) => Promise<void>;
}

/**
 * The transaction helper handlers use. State changes and their events commit together or not
 * at all; serialization failures and deadlocks are retried with jittered backoff.
 */
@Injectable()
export class Transactions {
  private readonly logger = new Logger(Transactions.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly metrics: Metrics,
    private readonly context: RequestContext,
  ) {}

  async run<T>(work: (tx: Tx) => Promise<T>, options: RunOptions = {}): Promise<T> {
    const attempts = options.attempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      const callbacks: (() => void)[] = [];
      let published = false;
      const dataSource = options.dataSource ?? this.dataSource;
      try {
        const unit = async (manager: EntityManager) => {
          await options.enter?.(manager);
          const tx: Tx = {
            manager,
            publish: async (...events) => {
              if (events.length === 0) return;
              if (dataSource !== this.dataSource)
                throw new Error('publish: the outbox is in the platform database, not this one');
              await this.outbox.write(manager, events);
              published = true;
            },
            // Bound to the caller's async context: a callback registered while consuming one
            // event of a batch runs with that event's correlation id.
            afterCommit: (fn) => callbacks.push(AsyncResource.bind(() => this.followUp(fn))),
          };
          return work(tx);
        };
        // No isolation given: PostgreSQL's default (READ COMMITTED) without TypeORM's extra
        // `SET TRANSACTION ISOLATION LEVEL` round trip.
        const result = options.isolation
          ? await dataSource.transaction(options.isolation, unit)
          : await dataSource.transaction(unit);
        if (published) {
          crashPoint('after-business-commit');
          this.outbox.committed();
        }
        for (const fn of callbacks) fn();
        return result;
      } catch (err) {
        if (!isRetryableTxError(err) || attempt >= attempts) throw err;
        this.logger.debug({ attempt }, 'retrying transaction after serialization failure/deadlock');
        await new Promise((r) => setTimeout(r, backoffMs(attempt, 20, 320)));
      }
    }
  }

  /** Runs a committed transaction's follow-up; a failure is reported, never swallowed or thrown. */
  private followUp(fn: () => unknown): void {
    // The work is committed; a failing follow-up must not turn it into an error.
    const failed = (err: unknown) => {
      this.metrics.afterCommitFailures.inc();
      this.logger.error(
        { err, correlationId: this.context.correlationId },
        'afterCommit follow-up failed',
      );
    };
    try {
      const result = fn();
      if (result instanceof Promise) result.catch(failed);
    } catch (err) {
      failed(err);
    }
  }
}
