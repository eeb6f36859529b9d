import { Injectable, Logger } from '@nestjs/common';
import { GroupCommit, Metrics, Outbox, Transactions, type EventOrigin } from '@app/platform';
import { v7 as uuidv7 } from 'uuid';
import {
  describeDecision,
  FraudEngine,
  type FraudContext,
  type FraudDecision,
} from '../fraud/fraud-engine.js';
import { Ledger } from '../ledger/ledger.js';
import type { SagaRow } from './saga.entity.js';
import { SagaTransitions, type SagaEnd } from './saga-transitions.js';
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
 * Group commit (database/group-commit.ts): transfers that arrive while a batch is being written
 * share the next one — one transaction, one round trip per statement for all of them — and a
 * batch that fails is written again one transfer at a time, so one bad request fails alone.
 *
 * All or nothing: a crash or error before COMMIT leaves no saga, no money moved and no event,
 * and the retry (same Idempotency-Key or reference) starts afresh. The saga row still records
 * the history (`started`, `fraud_checked`, `completed` or `failed`) that GET shows.
 */
/** A transfer through the fraud rules, waiting for its batch. */
interface Submitted {
  saga: NewSaga<'transfer'> & { id: string };
  decision: FraudDecision;
  origin: EventOrigin;
}

/** How its batch left it; undefined: its reference was taken (nothing was written for it). */
type Written = { saga: SagaRow<'transfer'>; moved: boolean } | undefined;

@Injectable()
export class WalletTransfers {
  private readonly logger = new Logger(WalletTransfers.name);
  private readonly batches: GroupCommit<Submitted, Written>;

  constructor(
    private readonly transactions: Transactions,
    private readonly sagas: Sagas,
    private readonly ledger: Ledger,
    private readonly fraud: FraudEngine,
    private readonly transitions: SagaTransitions,
    private readonly starter: TransferStarter,
    private readonly outbox: Outbox,
    metrics: Metrics,
  ) {
    this.batches = new GroupCommit(
      'wallet_transfers',
      (items) => this.write(items),
      metrics.groupCommitBatch,
    );
  }

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
    const written = await this.batches.submit({
      saga: { ...saga, id },
      decision,
      origin: this.outbox.origin(),
    });
    if (!written) {
      // The reference was taken: this payment never happened, so it leaves the fraud windows.
      await this.bestEffort(id, 'forget', () => this.fraud.forget(fraudContext));
      return this.starter.answerExisting(saga);
    }
    // Let through but refused by the ledger: its amount no longer counts (held-payment.steps.ts).
    if (!written.moved && decision.verdict !== 'deny')
      await this.bestEffort(id, 'release', () => this.fraud.release(fraudContext));
    return mapTransfer(written.saga);
  }

  /**
   * One batch in one transaction: the sagas (those whose reference is taken drop out), their
   * fraud decisions, the ledger transfers of those let through (ledger.postMany: every account
   * locked at once, in id order, each transfer checked against the balances the ones before it
   * left — one that overdraws is refused alone), and every saga's end and outcome event.
   */
  private write(items: Submitted[]): Promise<Written[]> {
    return this.transactions.run(async (tx) => {
      const created = await this.sagas.createMany(
        tx,
        items.map((i) => i.saga),
      );
      const made = items.flatMap((item, i) => (created[i] ? [{ item, saga: created[i] }] : []));
      await this.fraud.recordMany(
        tx.manager,
        made.map(({ item, saga }) => ({ sagaId: saga.id, decision: item.decision })),
      );
      const moving = made.filter(({ item }) => item.decision.verdict !== 'deny');
      const results = moving.length
        ? await this.ledger.postMany(
            tx.manager,
            moving.map(({ saga }) => ({
              id: saga.data.postId,
              kind: 'single' as const,
              debitAccountId: saga.data.fromAccountId,
              creditAccountId: saga.data.toAccountId,
              amount: BigInt(saga.data.amount),
              currency: saga.data.currency,
              sagaId: saga.id,
            })),
          )
        : [];
      const moved = new Map(moving.map(({ saga }, i) => [saga.id, results[i]!]));
      const ends: SagaEnd<SagaRow<'transfer'>>[] = made.map(({ item, saga }) => {
        const checked = describeDecision(item.decision);
        const result = moved.get(saga.id);
        if (!result)
          return {
            saga,
            state: 'FAILED',
            failure: 'fraud_denied',
            detail: checked,
            origin: item.origin,
          };
        const earlier = [{ step: 'fraud' as const, event: 'fraud_checked', detail: checked }];
        return result.ok
          ? {
              saga,
              state: 'COMPLETED',
              failure: null,
              detail: `posted ${saga.data.postId}`,
              earlier,
              origin: item.origin,
            }
          : {
              saga,
              state: 'FAILED',
              failure: result.reason,
              detail: `refused: ${result.reason}`,
              earlier,
              origin: item.origin,
            };
      });
      await this.transitions.finishMany(tx, ends);
      return created.map((saga) =>
        saga ? { saga, moved: moved.get(saga.id)?.ok === true } : undefined,
      );
    });
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
