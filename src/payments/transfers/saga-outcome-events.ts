import {
  PaymentFailed,
  PaymentRefunded,
  PaymentSucceeded,
  TransferCompleted,
  TransferFailed,
  type IntegrationEvent,
} from '@app/contracts';
import type { SagaData } from './saga-data.js';
import type { SagaKind, SagaState } from './saga.entity.js';

/** The integration events a saga publishes when it ends, per kind and outcome. */
export function outcomeEvents(
  kind: SagaKind,
  sagaId: string,
  ownerId: string,
  d: SagaData,
  state: Exclude<SagaState, 'PENDING'>,
  failure: string | null,
): IntegrationEvent[] {
  const at = new Date().toISOString();
  switch (kind) {
    case 'transfer':
    case 'top_up':
      return state === 'COMPLETED'
        ? [
            new TransferCompleted({
              transferId: sagaId,
              kind: kind,
              fromAccountId: d.fromAccountId ?? null,
              toAccountId: d.toAccountId!,
              amount: d.amount,
              currency: d.currency,
              completedAt: at,
            }),
          ]
        : [
            new TransferFailed({
              transferId: sagaId,
              kind: kind,
              reason: failure ?? 'failed',
              failedAt: at,
            }),
          ];
    case 'order_payment':
      return state === 'COMPLETED'
        ? [
            new PaymentSucceeded({
              orderId: d.orderId!,
              customerId: ownerId,
              paymentId: sagaId,
              amount: d.amount,
              currency: d.currency,
            }),
          ]
        : [
            new PaymentFailed({
              orderId: d.orderId!,
              customerId: ownerId,
              paymentId: sagaId,
              reason: failure ?? 'failed',
            }),
          ];
    case 'order_refund':
      return d.paymentId
        ? [
            new PaymentRefunded({
              customerId: ownerId,
              orderId: d.orderId!,
              paymentId: d.paymentId,
              amount: d.amount,
              currency: d.currency,
            }),
          ]
        : [];
  }
}
