import { type IntegrationEvent } from '@app/contracts';
import {
  PaymentFailed,
  PaymentRefunded,
  PaymentSucceeded,
  InvoicePaymentFailed,
  InvoicePaymentSucceeded,
  SubscriptionPaymentFailed,
  SubscriptionPaymentSucceeded,
  TransferCompleted,
  TransferFailed,
} from '@app/contracts/payments';
import type { SagaRow, SagaState } from './saga.entity.js';

/** The integration events a saga publishes when it ends, per kind and outcome. */
export function outcomeEvents(
  saga: SagaRow,
  state: Exclude<SagaState, 'PENDING'>,
  failure: string | null,
): IntegrationEvent[] {
  const at = new Date().toISOString();
  switch (saga.kind) {
    case 'transfer':
    case 'top_up':
      return state === 'COMPLETED'
        ? [
            new TransferCompleted({
              transferId: saga.id,
              kind: saga.kind,
              fromAccountId: saga.kind === 'transfer' ? saga.data.fromAccountId : null,
              toAccountId: saga.data.toAccountId,
              amount: saga.data.amount,
              currency: saga.data.currency,
              completedAt: at,
            }),
          ]
        : [
            new TransferFailed({
              transferId: saga.id,
              kind: saga.kind,
              reason: failure ?? 'failed',
              failedAt: at,
            }),
          ];
    case 'order_payment':
      return state === 'COMPLETED'
        ? [
            new PaymentSucceeded({
              orderId: saga.data.orderId,
              customerId: saga.owner_id,
              paymentId: saga.id,
              amount: saga.data.amount,
              currency: saga.data.currency,
            }),
          ]
        : [
            new PaymentFailed({
              orderId: saga.data.orderId,
              customerId: saga.owner_id,
              paymentId: saga.id,
              reason: failure ?? 'failed',
            }),
          ];
    case 'order_refund': {
      const refunded = saga.data.refunded;
      return refunded
        ? [
            new PaymentRefunded({
              customerId: saga.owner_id,
              orderId: saga.data.orderId,
              paymentId: refunded.paymentId,
              amount: refunded.amount,
              currency: refunded.currency,
            }),
          ]
        : [];
    }
    case 'invoice_payment': {
      const d = saga.data;
      const ids = {
        tenantId: d.tenantId,
        invoiceId: d.invoiceId,
        customerId: saga.owner_id,
        paymentId: saga.id,
        attempt: d.attempt,
      };
      return state === 'COMPLETED'
        ? [new InvoicePaymentSucceeded({ ...ids, amount: d.amount, currency: d.currency })]
        : [new InvoicePaymentFailed({ ...ids, reason: failure ?? 'failed' })];
    }
    case 'subscription_payment': {
      const d = saga.data;
      const ids = {
        chargeId: d.subscriptionChargeId,
        subscriptionId: d.subscriptionId,
        customerId: saga.owner_id,
        paymentId: saga.id,
        attempt: d.attempt,
      };
      return state === 'COMPLETED'
        ? [new SubscriptionPaymentSucceeded({ ...ids, amount: d.amount, currency: d.currency })]
        : [new SubscriptionPaymentFailed({ ...ids, reason: failure ?? 'failed' })];
    }
  }
}
