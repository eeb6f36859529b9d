import { Injectable, Logger } from '@nestjs/common';
import { backoffMs, crashPoint } from '@app/platform';
import { SagaFaults, SimulatedCrash } from './saga-faults.js';
import type { SagaRow, SagaStep } from './saga.entity.js';
import type { StepOutcome } from './saga-transitions.js';
import { LeaseLost, Sagas } from './sagas.js';
import { CardPaymentSteps } from './steps/card-payment.steps.js';
import { OrderRefundSteps } from './steps/order-refund.steps.js';

const MAX_STEPS_PER_RUN = 12;

/**
 * Advances payment sagas (orchestration): the lease protocol and the step loop. What each step
 * does lives with its kind:
 *
 *   top_up         fraud + hold → charge (→ charge_status) → post (steps/card-payment.steps.ts)
 *   order_payment  fraud + hold → charge (→ charge_status) → post (steps/card-payment.steps.ts)
 *   order_refund   refund                                       (steps/order-refund.steps.ts)
 *   subscription_payment  as order_payment, for one streaming subscription period
 *   invoice_payment       as order_payment, for one final saas invoice
 *
 * and compensation in reverse: a declined charge or a failed post voids the hold (`void`), a
 * charge whose hold can no longer be posted is refunded first (`refund_charge`). `fraud + hold`
 * is one step (one transaction: the fraud decision and the hold; steps/held-payment.steps.ts);
 * a saga a previous version left at `hold` still runs it alone. Each step
 * commits its ledger work, the saga's new step and history, and any integration event in one
 * transaction; the runner goes on from the committed row.
 */
@Injectable()
export class SagaRunner {
  private readonly logger = new Logger(SagaRunner.name);

  constructor(
    private readonly sagas: Sagas,
    private readonly faults: SagaFaults,
    private readonly cardPayment: CardPaymentSteps,
    private readonly orderRefund: OrderRefundSteps,
  ) {}

  /** Runs a saga until it ends or has to wait. Another runner holding it → returns at once. */
  async run(sagaId: string): Promise<void> {
    const claimed = await this.sagas.claim(sagaId);
    if (claimed) await this.runLeased(claimed);
  }

  /**
   * Runs a saga whose lease the caller holds (its creator: Sagas.create leases it). Returns the
   * saga as last committed.
   */
  async runLeased<S extends SagaRow>(saga: S): Promise<S> {
    const token = saga.lease_token;
    let nextRunInMs = 0;
    try {
      for (let i = 0; i < MAX_STEPS_PER_RUN && saga.state === 'PENDING'; i++) {
        const step = saga.step;
        // A step that commits updates `saga` to the committed row and extends our lease.
        const outcome = await this.step(saga);
        for (const passed of stepsPassed(step, saga)) {
          this.faults.check(passed);
          if (passed === 'hold') crashPoint('saga-after-hold');
        }
        if (outcome !== 'continue') {
          nextRunInMs = outcome.waitMs;
          break;
        }
      }
    } catch (err) {
      if (err instanceof SimulatedCrash) throw err; // a dead process releases nothing
      if (err instanceof LeaseLost) return saga; // the saga is someone else's now
      this.logger.error({ sagaId: saga.id, err }, 'saga step failed unexpectedly; will retry');
      nextRunInMs = backoffMs(saga.attempts, 250, 60_000);
      await this.sagas.note(saga, 'error', err instanceof Error ? err.name : 'Error');
    }
    // A saga that ended gave its lease up in the step that ended it (Sagas.apply).
    if (saga.state === 'PENDING') await this.sagas.release(saga.id, token, nextRunInMs);
    return saga;
  }

  private step(saga: SagaRow): Promise<StepOutcome> {
    switch (saga.kind) {
      case 'transfer':
        // Ends in the transaction that creates it (wallet-transfers.ts): never pending.
        throw new Error('a wallet transfer has no steps to run');
      case 'top_up':
      case 'order_payment':
      case 'subscription_payment':
      case 'invoice_payment':
        return this.cardPayment.run(saga);
      case 'order_refund':
        return this.orderRefund.run(saga);
    }
  }
}

/**
 * The steps a run of `step` took: the fraud step also takes the hold when it lets the payment
 * through (the saga moved on to its charge), so fault hooks armed for either fire after it.
 */
function stepsPassed(step: SagaStep, saga: SagaRow): SagaStep[] {
  return step === 'fraud' && saga.step === 'charge' ? ['fraud', 'hold'] : [step];
}
