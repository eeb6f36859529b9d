import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { crashPoint, Metrics, Transactions } from '@app/platform';
import { DataSource } from 'typeorm';
import { Ledger } from '../../ledger/ledger.js';
import { PaymentProcessor, ProcessorTimeout } from '../../processor/processor.port.js';
import { Vault } from '../../vault/vault.js';
import type { SagaRow } from '../saga.entity.js';
import { processorBackoffMs, SagaTransitions, type StepOutcome } from '../saga-transitions.js';
import { Sagas } from '../sagas.js';
import { HeldPaymentSteps } from './held-payment.steps.js';

type CardPaymentSaga = SagaRow<
  'top_up' | 'order_payment' | 'subscription_payment' | 'invoice_payment'
>;

/** Charges sent again after an unknown outcome, at most. */
const MAX_CHARGE_ATTEMPTS = 3;

/**
 * Card → wallet (top_up) and card → merchant (order_payment):
 *
 *   fraud + hold → charge (→ charge_status) → post
 *
 * A declined charge voids the hold (`void`); a charge whose hold can no longer be posted is
 * refunded first (`refund_charge`). Processor calls carry keys derived from the saga id, so a
 * repeated step never charges or refunds twice.
 */
@Injectable()
export class CardPaymentSteps {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly transactions: Transactions,
    private readonly ledger: Ledger,
    private readonly processor: PaymentProcessor,
    private readonly vault: Vault,
    private readonly sagas: Sagas,
    private readonly held: HeldPaymentSteps,
    private readonly transitions: SagaTransitions,
    private readonly metrics: Metrics,
  ) {}

  run(saga: CardPaymentSaga): Promise<StepOutcome> {
    switch (saga.step) {
      case 'fraud':
        return this.fraudCheck(saga);
      case 'hold':
        return this.held.hold(saga, 'charge');
      case 'charge':
        return this.charge(saga);
      case 'charge_status':
        return this.chargeStatus(saga);
      case 'post':
        return this.held.post(saga, saga.data.chargeId ? 'refund_charge' : 'void');
      case 'refund_charge':
        return this.refundCharge(saga);
      case 'void':
        return this.held.voidHold(saga);
      default:
        throw new Error(`a ${saga.kind} saga has no step ${saga.step}`);
    }
  }

  private async fraudCheck(saga: CardPaymentSaga): Promise<StepOutcome> {
    // The order may have been cancelled before we got here: never charge it then.
    if (
      saga.kind === 'order_payment' &&
      (await this.sagas.exists('order_refund', saga.data.orderId))
    ) {
      await this.transactions.run((tx) =>
        this.transitions.finish(
          tx,
          saga,
          'FAILED',
          'order_cancelled',
          'the order was cancelled before payment',
        ),
      );
      return 'continue';
    }
    return this.held.fraudCheckAndHold(saga, 'charge');
  }

  private async charge(saga: CardPaymentSaga): Promise<StepOutcome> {
    const d = saga.data;
    const resolved = await this.ledger.resolutionOf(this.db.manager, d.holdId);
    if (resolved) {
      // The hold expired (voided by the reaper) while we waited: charging now would take money we cannot post.
      await this.transactions.run((tx) =>
        this.transitions.finish(tx, saga, 'FAILED', 'hold_expired', `hold already ${resolved}`),
      );
      await this.held.failed(saga);
      return 'continue';
    }
    const card = await this.vault.findCard(saga.owner_id, d.cardToken);
    if (!card) {
      await this.transactions.run((tx) =>
        this.transitions.advance(tx, saga, 'void', 'charge_skipped', 'card_not_found', {
          failure: 'card_not_found',
        }),
      );
      return 'continue';
    }
    try {
      const result = await this.vault.withCard(card, (details) =>
        this.processor.charge({
          idempotencyKey: d.chargeKey,
          amount: d.amount,
          currency: d.currency,
          card: details,
        }),
      );
      crashPoint('saga-after-charge');
      if (result.status === 'declined') this.metrics.paymentDeclines.inc({ reason: result.reason });
      await this.transactions.run((tx) =>
        result.status === 'succeeded'
          ? this.transitions.advance(tx, saga, 'post', 'charged', result.chargeId, {
              chargeId: result.chargeId,
            })
          : this.transitions.advance(tx, saga, 'void', 'charge_declined', result.reason, {
              failure: result.reason,
            }),
      );
      return 'continue';
    } catch (err) {
      if (!(err instanceof ProcessorTimeout)) throw err;
      await this.transactions.run((tx) =>
        this.transitions.advance(
          tx,
          saga,
          'charge_status',
          'charge_timeout',
          'outcome unknown: asking the processor',
          { chargeAttempts: (d.chargeAttempts ?? 0) + 1 },
        ),
      );
      return { waitMs: 0 };
    }
  }

  /** After a timeout: ask what happened before deciding to post or compensate. */
  private async chargeStatus(saga: CardPaymentSaga): Promise<StepOutcome> {
    const d = saga.data;
    try {
      const status = await this.processor.status(d.chargeKey);
      await this.transactions.run(async (tx) => {
        if (status.state === 'succeeded')
          return this.transitions.advance(tx, saga, 'post', 'charge_confirmed', status.chargeId, {
            chargeId: status.chargeId,
          });
        if (status.state === 'declined')
          return this.transitions.advance(tx, saga, 'void', 'charge_not_captured', status.reason, {
            failure: status.reason,
          });
        // Never reached the network: send it again with the same key (safe: the processor
        // dedupes by key), a bounded number of times.
        if ((d.chargeAttempts ?? 1) < MAX_CHARGE_ATTEMPTS)
          return this.transitions.advance(
            tx,
            saga,
            'charge',
            'charge_not_found',
            'resending with the same key',
          );
        return this.transitions.advance(
          tx,
          saga,
          'void',
          'charge_not_captured',
          'processor_timeout',
          { failure: 'processor_timeout' },
        );
      });
      return 'continue';
    } catch (err) {
      if (!(err instanceof ProcessorTimeout)) throw err;
      if (new Date(saga.deadline_at).getTime() > Date.now())
        return { waitMs: processorBackoffMs(saga) };
      // Still unknown at the deadline: release the hold; reconciliation with the processor's
      // report settles any capture we never heard of.
      await this.transactions.run((tx) =>
        this.transitions.advance(tx, saga, 'void', 'charge_unknown', 'processor_unavailable', {
          failure: 'processor_unavailable',
        }),
      );
      return 'continue';
    }
  }

  /** The charge went through but its hold cannot be posted: give the money back, then void. */
  private async refundCharge(saga: CardPaymentSaga): Promise<StepOutcome> {
    const d = saga.data;
    if (!d.chargeId) throw new Error(`saga ${saga.id} has no charge to refund`);
    try {
      const result = await this.processor.refund({
        idempotencyKey: d.refundKey,
        chargeId: d.chargeId,
        amount: d.amount,
      });
      crashPoint('refund-mid-compensation');
      if (result.status === 'rejected') return this.transitions.refundRejected(saga, result.reason);
      await this.transactions.run((tx) =>
        this.transitions.advance(tx, saga, 'void', 'charge_refunded', result.refundId),
      );
      return 'continue';
    } catch (err) {
      if (!(err instanceof ProcessorTimeout)) throw err;
      return { waitMs: processorBackoffMs(saga) };
    }
  }
}
