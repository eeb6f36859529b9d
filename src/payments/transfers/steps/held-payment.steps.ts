import { Injectable, Logger } from '@nestjs/common';
import { Transactions, type Tx } from '@app/platform';
import { describeDecision, FraudEngine, type FraudContext } from '../../fraud/fraud-engine.js';
import { Ledger } from '../../ledger/ledger.js';
import { PaymentsConfig } from '../../payments.config.js';
import { Vault } from '../../vault/vault.js';
import type { SagaRow, SagaStep } from '../saga.entity.js';
import type { SagaChange } from '../sagas.js';
import { SagaTransitions, type StepOutcome } from '../saga-transitions.js';

/** The sagas that hold money and then post or void the hold. */
export type HeldPaymentSaga = SagaRow<
  'top_up' | 'order_payment' | 'subscription_payment' | 'invoice_payment'
>;

/**
 * The steps every money-moving saga shares: fraud check and hold → … → post, and `void` when it
 * compensates. Each commits its ledger work and the saga's new step in one transaction.
 */
@Injectable()
export class HeldPaymentSteps {
  private readonly logger = new Logger(HeldPaymentSteps.name);

  constructor(
    private readonly transactions: Transactions,
    private readonly ledger: Ledger,
    private readonly fraud: FraudEngine,
    private readonly vault: Vault,
    private readonly transitions: SagaTransitions,
    private readonly config: PaymentsConfig,
  ) {}

  /**
   * The fraud decision and the hold in one transaction, then on to `next`: neither waits on
   * anything outside the database, so a second transaction would only add its round trips and
   * a queueing delay (issue 15: P2). A denied payment or a refused hold ends the saga here; the
   * history still shows `fraud_checked` before `held`.
   */
  async fraudCheckAndHold(saga: HeldPaymentSaga, next: SagaStep): Promise<StepOutcome> {
    const decision = await this.fraud.evaluate(await this.fraudContext(saga));
    const refused = await this.transactions.run(async (tx) => {
      await this.fraud.record(tx.manager, saga.id, decision);
      const detail = describeDecision(decision);
      if (decision.verdict === 'deny') {
        await this.transitions.finish(tx, saga, 'FAILED', 'fraud_denied', detail);
        return false;
      }
      const checked = [{ step: 'fraud' as const, event: 'fraud_checked', detail }];
      return this.holdIn(tx, saga, next, checked);
    });
    if (refused) await this.failed(saga);
    return 'continue';
  }

  /**
   * After a saga the fraud check let through has FAILED (committed): its amount no longer counts
   * in the fraud rules' amount windows. Best effort: a crash or a Redis error first leaves it
   * counted, the safe side.
   */
  async failed(saga: HeldPaymentSaga): Promise<void> {
    try {
      await this.fraud.release(await this.fraudContext(saga));
    } catch (err) {
      this.logger.warn(
        { sagaId: saga.id, err },
        'could not take a failed payment out of the fraud windows',
      );
    }
  }

  private async fraudContext(saga: HeldPaymentSaga): Promise<FraudContext> {
    const card = await this.vault.findCard(saga.owner_id, saga.data.cardToken);
    return {
      paymentId: saga.id,
      kind: saga.kind,
      amount: saga.data.amount,
      customerId: saga.owner_id,
      // Only customer wallets are velocity subjects; the shared merchant account is not.
      accountId: saga.kind === 'top_up' ? saga.data.toAccountId : undefined,
      cardFingerprint: card?.fingerprint,
    };
  }

  /**
   * Holds the amount on the debit account, then goes on to `next`: a saga a previous version
   * left between its fraud check and its hold (it took them in two transactions).
   */
  async hold(saga: HeldPaymentSaga, next: SagaStep): Promise<StepOutcome> {
    const refused = await this.transactions.run((tx) => this.holdIn(tx, saga, next, []));
    if (refused) await this.failed(saga);
    return 'continue';
  }

  /** The hold inside `tx`, after `earlier` steps of the same transaction; true if refused. */
  private async holdIn(
    tx: Tx,
    saga: HeldPaymentSaga,
    next: SagaStep,
    earlier: NonNullable<SagaChange<HeldPaymentSaga>['earlier']>,
  ): Promise<boolean> {
    const d = saga.data;
    const result = await this.ledger.transfer(tx.manager, {
      id: d.holdId,
      kind: 'pending',
      debitAccountId: d.debitAccountId,
      creditAccountId: d.creditAccountId,
      amount: BigInt(d.amount),
      currency: d.currency,
      timeoutSeconds: this.config.PAYMENTS_HOLD_TIMEOUT_SECONDS,
      sagaId: saga.id,
    });
    if (!result.ok) {
      await this.transitions.finishMany(tx, [
        {
          saga,
          state: 'FAILED',
          failure: result.reason,
          detail: `hold refused: ${result.reason}`,
          earlier,
        },
      ]);
      return true;
    }
    await this.transitions.advance(tx, saga, next, 'held', `hold ${d.holdId}`, undefined, earlier);
    return false;
  }

  /** Posts the hold (the saga completes), or compensates with `compensate` if it cannot. */
  async post(saga: HeldPaymentSaga, compensate: SagaStep): Promise<StepOutcome> {
    const d = saga.data;
    await this.transactions.run(async (tx) => {
      const result = await this.ledger.transfer(tx.manager, {
        id: d.postId,
        kind: 'post_pending',
        pendingId: d.holdId,
        sagaId: saga.id,
      });
      if (result.ok)
        return this.transitions.finish(tx, saga, 'COMPLETED', null, `posted ${d.postId}`);
      // The hold is gone (expired and voided by the reaper) or expired: undo what was done.
      const failure =
        result.reason === 'pending_expired' || result.reason === 'pending_already_resolved'
          ? 'hold_expired'
          : result.reason;
      await this.transitions.advance(tx, saga, compensate, 'post_refused', result.reason, {
        failure,
      });
    });
    return 'continue';
  }

  /** Releases the hold (unless already resolved) and fails the saga with its recorded failure. */
  async voidHold(saga: HeldPaymentSaga): Promise<StepOutcome> {
    const d = saga.data;
    await this.transactions.run(async (tx) => {
      const result = await this.ledger.transfer(tx.manager, {
        id: d.voidId,
        kind: 'void_pending',
        pendingId: d.holdId,
        sagaId: saga.id,
      });
      const detail = result.ok ? `voided ${d.voidId}` : `hold already resolved (${result.reason})`;
      await this.transitions.finish(tx, saga, 'FAILED', d.failure ?? 'failed', detail);
    });
    // A charge whose outcome stayed unknown may have been captured: it keeps counting.
    if (d.failure !== 'processor_unavailable') await this.failed(saga);
    return 'continue';
  }
}
