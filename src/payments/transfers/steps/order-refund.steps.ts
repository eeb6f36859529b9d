import { Injectable } from '@nestjs/common';
import { crashPoint, Transactions } from '@app/platform';
import { Ledger } from '../../ledger/ledger.js';
import { PaymentProcessor, ProcessorTimeout } from '../../processor/processor.port.js';
import type { SagaRow } from '../saga.entity.js';
import { processorBackoffMs, SagaTransitions, type StepOutcome } from '../saga-transitions.js';
import { Sagas } from '../sagas.js';

/**
 * order_refund: one step, `refund` — refund the order's captured payment through the processor,
 * then reverse it in the ledger. It waits while the payment is still running (or has not
 * arrived yet: events are not ordered) and completes with nothing to do if none was captured.
 */
@Injectable()
export class OrderRefundSteps {
  constructor(
    private readonly transactions: Transactions,
    private readonly ledger: Ledger,
    private readonly processor: PaymentProcessor,
    private readonly sagas: Sagas,
    private readonly transitions: SagaTransitions,
  ) {}

  run(saga: SagaRow<'order_refund'>): Promise<StepOutcome> {
    if (saga.step !== 'refund') throw new Error(`an order_refund saga has no step ${saga.step}`);
    return this.refund(saga);
  }

  private async refund(saga: SagaRow<'order_refund'>): Promise<StepOutcome> {
    const d = saga.data;
    const payment = await this.sagas.find('order_payment', d.orderId);
    if (payment?.state === 'PENDING') return { waitMs: 500 }; // let the payment finish first
    // No payment yet: it may still be on its way; wait until our deadline.
    if (!payment && new Date(saga.deadline_at).getTime() > Date.now()) return { waitMs: 1000 };
    if (!payment || payment.state === 'FAILED' || !payment.data.chargeId) {
      await this.transactions.run((tx) =>
        this.transitions.finish(
          tx,
          saga,
          'COMPLETED',
          null,
          'nothing was captured: nothing to refund',
        ),
      );
      return 'continue';
    }
    const captured = payment.data;
    try {
      const result = await this.processor.refund({
        idempotencyKey: d.refundKey,
        chargeId: payment.data.chargeId,
        amount: captured.amount,
      });
      crashPoint('refund-mid-compensation');
      if (result.status === 'rejected') return this.transitions.refundRejected(saga, result.reason);
    } catch (err) {
      if (!(err instanceof ProcessorTimeout)) throw err;
      return { waitMs: processorBackoffMs(saga) };
    }
    await this.transactions.run(async (tx) => {
      const reversal = await this.ledger.transfer(tx.manager, {
        id: d.reversalId,
        kind: 'single',
        debitAccountId: captured.creditAccountId,
        creditAccountId: captured.debitAccountId,
        amount: BigInt(captured.amount),
        currency: captured.currency,
        sagaId: saga.id,
      });
      if (!reversal.ok) throw new Error(`refund reversal refused: ${reversal.reason}`);
      await this.transitions.finish(tx, saga, 'COMPLETED', null, `refunded ${captured.amount}`, {
        refunded: { paymentId: payment.id, amount: captured.amount, currency: captured.currency },
      });
    });
    return 'continue';
  }
}
