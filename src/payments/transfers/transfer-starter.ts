import { Injectable } from '@nestjs/common';
import { Transactions } from '@app/platform';
import { PaymentsError } from '../payments.error.js';
import type { SagaFields } from './saga-data.js';
import { SagaRunner } from './saga-runner.js';
import { Sagas, type NewSaga } from './sagas.js';
import { mapTransfer, type TransferResponse } from './transfers.dto.js';

type TransferKind = 'transfer' | 'top_up';

/**
 * Starts a transfer or top-up for a request: creates its saga (the permanent idempotency guard),
 * runs it as far as it goes within the request, and answers with it.
 */
@Injectable()
export class TransferStarter {
  constructor(
    private readonly transactions: Transactions,
    private readonly sagas: Sagas,
    private readonly runner: SagaRunner,
  ) {}

  async start<K extends TransferKind>(saga: NewSaga<K>): Promise<TransferResponse> {
    const created = await this.transactions.run((tx) => this.sagas.create(tx, saga));
    if (created) return mapTransfer(await this.runner.runLeased(created));
    return this.answerExisting(saga);
  }

  /**
   * The answer when a saga of this kind and reference exists already (e.g. after the idempotency
   * cache expired): the same request → the same transfer; a different one → refused.
   */
  async answerExisting<K extends TransferKind>(saga: NewSaga<K>): Promise<TransferResponse> {
    const existing = await this.sagas.find(saga.kind, saga.businessKey);
    if (!existing)
      throw new Error(`saga ${saga.kind} ${saga.businessKey} conflicted but is not there`);
    if (!sameRequest(existing.data, saga.fields))
      throw new PaymentsError(
        'payments.reference_reused',
        'This reference was already used for a different transfer.',
      );
    return mapTransfer(existing);
  }
}

/** What makes two transfer requests with one reference the same request. */
function sameRequest(a: SagaFields<TransferKind>, b: SagaFields<TransferKind>): boolean {
  const key = (f: SagaFields<TransferKind>) =>
    JSON.stringify([
      f.amount,
      f.currency,
      f.toAccountId,
      'fromAccountId' in f ? f.fromAccountId : null,
      'cardToken' in f ? f.cardToken : null,
    ]);
  return key(a) === key(b);
}
