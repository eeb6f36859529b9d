import { Injectable, Logger } from '@nestjs/common';
import type { IntegrationEvent } from '@app/contracts';
import { backoffMs, Metrics, withOrigin, type EventOrigin, type Tx } from '@app/platform';
import { outcomeEvents } from './saga-outcome-events.js';
import type { SagaRow, SagaState, SagaStep } from './saga.entity.js';
import { Sagas, type SagaChange } from './sagas.js';

/** What a step tells the runner: go on with the next step, or come back later. */
export type StepOutcome = 'continue' | { waitMs: number };

/** How one saga ends (SagaTransitions.finishMany); `origin`: whose its events are. */
export interface SagaEnd<S extends SagaRow> {
  saga: S;
  state: Exclude<SagaState, 'PENDING'>;
  failure: string | null;
  detail: string;
  patch?: Partial<S['data']>;
  earlier?: SagaChange<S>['earlier'];
  origin?: EventOrigin;
}

/** Waiting for an unavailable processor: 200 ms doubling per attempt, at most 30 s (jittered). */
export function processorBackoffMs(saga: SagaRow): number {
  return backoffMs(saga.attempts, 200, 30_000);
}

/**
 * How steps move their saga, inside the step's transaction. A step's results (`patch`) are
 * written from a copy of the saga's data: the saga itself changes only when the transaction
 * commits (Sagas.apply), so a rolled-back step leaves nothing behind in memory either.
 */
@Injectable()
export class SagaTransitions {
  private readonly logger = new Logger(SagaTransitions.name);

  constructor(
    private readonly sagas: Sagas,
    private readonly metrics: Metrics,
  ) {}

  /** Moves on to `step`, recording `event` (after `earlier` steps of this transaction). */
  advance<S extends SagaRow>(
    tx: Tx,
    saga: S,
    step: SagaStep,
    event: string,
    detail?: string,
    patch?: Partial<S['data']>,
    earlier?: SagaChange<S>['earlier'],
  ): Promise<void> {
    const data = withPatch(saga, patch);
    return this.sagas.apply(tx, saga, { step, event, detail, data, earlier });
  }

  /** Ends the saga and publishes its outcome events (built from the data as committed). */
  finish<S extends SagaRow>(
    tx: Tx,
    saga: S,
    state: Exclude<SagaState, 'PENDING'>,
    failure: string | null,
    detail: string,
    patch?: Partial<S['data']>,
  ): Promise<void> {
    return this.finishMany(tx, [{ saga, state, failure, detail, patch }]);
  }

  /**
   * Ends many sagas in one statement and one outbox write (a group commit's), each as `finish`;
   * an end's `earlier` are history entries of steps it took within this transaction.
   */
  async finishMany<S extends SagaRow>(tx: Tx, ends: SagaEnd<S>[]): Promise<void> {
    const events: IntegrationEvent[] = [];
    const changes = ends.map(({ saga, state, failure, detail, patch, earlier, origin }) => {
      const data = withPatch(saga, patch);
      const outcome = outcomeEvents(
        { ...saga, data: data ?? saga.data } as SagaRow,
        state,
        failure,
      );
      events.push(...(origin ? withOrigin(origin, outcome) : outcome));
      const change: SagaChange<S> = {
        step: 'done',
        state,
        failure,
        event: state === 'COMPLETED' ? 'completed' : 'failed',
        detail,
        data,
        earlier,
      };
      return { saga, change };
    });
    await this.sagas.applyMany(tx, changes);
    if (events.length) await tx.publish(...events);
    tx.afterCommit(() => {
      for (const { saga, state } of ends)
        this.metrics.sagaOutcomes.inc({ saga: saga.kind, outcome: state });
    });
  }

  /**
   * The processor refused a refund we owe: never record it as refunded. The saga stays on this
   * step and retries hourly; the error log is the operator's alert.
   */
  async refundRejected(saga: SagaRow, reason: string): Promise<StepOutcome> {
    this.logger.error(
      { sagaId: saga.id, reason },
      'processor rejected a refund; retrying later — needs attention',
    );
    await this.sagas.note(saga, 'refund_rejected', reason);
    return { waitMs: 3_600_000 };
  }
}

/** The saga's data with a step's results applied, as a new object (undefined: unchanged). */
function withPatch<S extends SagaRow>(
  saga: S,
  patch: Partial<S['data']> | undefined,
): S['data'] | undefined {
  return patch ? { ...saga.data, ...patch } : undefined;
}
