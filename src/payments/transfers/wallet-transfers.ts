import { Injectable, Logger } from '@nestjs/common';
import { Transactions } from '@app/platform';
import { v7 as uuidv7 } from 'uuid';
import { describeDecision, FraudEngine, type FraudContext } from '../fraud/fraud-engine.js';
import { Ledger } from '../ledger/ledger.js';
import type { SagaRow } from './saga.entity.js';
import { SagaTransitions } from './saga-transitions.js';
import { Sagas, type NewSaga } from './sagas.js';
import { TransferStarter } from './transfer-starter.js';
import { mapTransfer, type TransferResponse } from './transfers.dto.js';

/**
 * Wallet → wallet in one transaction. No step of such a transfer waits on anything outside the
 * database, so it needs neither a hold nor a saga runner (issue 15: it used to take five
 * transactions and 23 round trips — fraud, hold, post — for what is one posted ledger transfer):
 *
 *   Redis   the fraud rules' windows (before the transaction: a denial writes no money)
 *   BEGIN   the saga row (its unique reference: the permanent idempotency guard) · the fraud
 *           decision · the ledger transfer (lock both accounts, then transfer + entries + balances
 *           in one statement) · the saga's end and its outcome event in the outbox   COMMIT
 *
 * All or nothing: a crash or error before COMMIT leaves no saga, no money moved and no event,
 * and the retry (same Idempotency-Key or reference) starts afresh. The saga row still records
 * the history (`started`, `fraud_checked`, `completed` or `failed`) that GET shows.
 */
@Injectable()
export class WalletTransfers {
  private readonly logger = new Logger(WalletTransfers.name);

  constructor(
    private readonly transactions: Transactions,
    private readonly sagas: Sagas,
    private readonly ledger: Ledger,
    private readonly fraud: FraudEngine,
    private readonly transitions: SagaTransitions,
    private readonly starter: TransferStarter,
  ) {}

  async start(saga: NewSaga<'transfer'>, fromCreatedAt: Date): Promise<TransferResponse> {
    const id = uuidv7();
    const f = saga.fields;
    const fraudContext: FraudContext = {
      paymentId: id,
      kind: 'transfer',
      amount: f.amount,
      customerId: saga.ownerId,
      accountId: f.fromAccountId,
      accountCreatedAt: fromCreatedAt,
    };
    const decision = await this.fraud.evaluate(fraudContext);
    const ended = await this.transactions.run(async (tx) => {
      const created = await this.sagas.create(tx, { ...saga, id });
      if (!created) return undefined;
      await this.fraud.record(tx.manager, id, decision);
      const checked = describeDecision(decision);
      if (decision.verdict === 'deny') {
        await this.transitions.finish(tx, created, 'FAILED', 'fraud_denied', checked);
        return { saga: created, moved: false };
      }
      const earlier = [{ step: 'fraud' as const, event: 'fraud_checked', detail: checked }];
      const result = await this.ledger.transfer(tx.manager, {
        id: created.data.postId,
        kind: 'single',
        debitAccountId: f.fromAccountId,
        creditAccountId: f.toAccountId,
        amount: BigInt(f.amount),
        currency: f.currency,
        sagaId: id,
      });
      if (result.ok)
        await this.transitions.finish(
          tx,
          created,
          'COMPLETED',
          null,
          `posted ${created.data.postId}`,
          undefined,
          earlier,
        );
      else
        await this.transitions.finish(
          tx,
          created,
          'FAILED',
          result.reason,
          `refused: ${result.reason}`,
          undefined,
          earlier,
        );
      return { saga: created, moved: result.ok };
    });
    if (!ended) {
      // The reference was taken: this payment never happened, so it leaves the fraud windows.
      await this.bestEffort(id, 'forget', () => this.fraud.forget(fraudContext));
      return this.starter.answerExisting(saga);
    }
    // Let through but refused by the ledger: its amount no longer counts (held-payment.steps.ts).
    if (!ended.moved && decision.verdict !== 'deny')
      await this.bestEffort(id, 'release', () => this.fraud.release(fraudContext));
    return mapTransfer(ended.saga as SagaRow<'transfer'>);
  }

  /** A fraud-window correction that fails leaves the payment counted: the safe side. */
  private async bestEffort(sagaId: string, what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.logger.warn({ sagaId, err }, `could not ${what} a payment in the fraud windows`);
    }
  }
}
