import { v7 as uuidv7 } from 'uuid';

/**
 * What a saga carries from step to step. Ids of the ledger transfers it may create are chosen
 * up front, so repeating a step after a crash finds the transfer it already made instead of
 * making another; processor calls use keys derived from the saga id for the same reason.
 */
export interface SagaData {
  amount: number;
  currency: string;
  /** The ledger legs: who is debited, who is credited. */
  debitAccountId: string;
  creditAccountId: string;
  fromAccountId?: string;
  toAccountId?: string;
  reference?: string;
  cardToken?: string;
  orderId?: string;
  holdId: string;
  postId: string;
  voidId: string;
  reversalId: string;
  chargeKey: string;
  refundKey: string;
  chargeId?: string;
  /** Charge calls whose outcome was unknown. */
  chargeAttempts?: number;
  paymentId?: string;
  /** Why compensation is running. */
  failure?: string;
}

export function newSagaData(
  sagaId: string,
  fields: Omit<SagaData, 'holdId' | 'postId' | 'voidId' | 'reversalId' | 'chargeKey' | 'refundKey'>,
): SagaData {
  return {
    ...fields,
    holdId: uuidv7(),
    postId: uuidv7(),
    voidId: uuidv7(),
    reversalId: uuidv7(),
    chargeKey: `${sagaId}:charge`,
    refundKey: `${sagaId}:refund`,
  };
}

/**
 * A refund saga knows only its order when it starts: amount, currency and the ledger legs are
 * those of the captured payment, filled in by the refund step once that payment is found.
 */
export function newRefundSagaData(sagaId: string, orderId: string): SagaData {
  return newSagaData(sagaId, {
    amount: 0,
    currency: '',
    debitAccountId: '',
    creditAccountId: '',
    orderId,
  });
}
