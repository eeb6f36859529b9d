import { Injectable } from '@nestjs/common';
import { OrderCancelled, OrderCreated } from '@app/contracts/commerce';
import { Consumes, type IntegrationEventConsumer, type Tx } from '@app/platform';
import { SystemAccounts } from '../accounts/system-accounts.js';
import { SagaRunner } from '../transfers/saga-runner.js';
import { Sagas } from '../transfers/sagas.js';

// One saga per order and kind: the unique business key makes a duplicate event a no-op even if
// it slipped past the inbox (e.g. republished by another service). The saga runs right after
// commit; the poller takes over (a lease later) only if that run never happens.

/** commerce.order-created → charge the customer's card to the merchant account (via clearing). */
@Injectable()
@Consumes(OrderCreated, 'payments.charge-order')
export class ChargeOrder implements IntegrationEventConsumer<OrderCreated> {
  constructor(
    private readonly system: SystemAccounts,
    private readonly sagas: Sagas,
    private readonly runner: SagaRunner,
  ) {}

  async consume(event: OrderCreated, tx: Tx): Promise<void> {
    const { orderId, customerId, amount, currency, cardToken } = event.payload;
    const clearing = await this.system.get(tx.manager, 'clearing', currency);
    const merchant = await this.system.get(tx.manager, 'merchant', currency);
    const saga = await this.sagas.create(tx, {
      kind: 'order_payment',
      ownerId: customerId,
      businessKey: orderId,
      deadlineSeconds: 600,
      fields: {
        amount,
        currency,
        debitAccountId: clearing,
        creditAccountId: merchant,
        toAccountId: merchant,
        cardToken,
        orderId,
      },
    });
    if (saga) tx.afterCommit(() => this.runner.runLeased(saga));
  }
}

/** commerce.order-cancelled → refund what was captured for the order, once. */
@Injectable()
@Consumes(OrderCancelled, 'payments.refund-order')
export class RefundOrder implements IntegrationEventConsumer<OrderCancelled> {
  constructor(
    private readonly sagas: Sagas,
    private readonly runner: SagaRunner,
  ) {}

  async consume(event: OrderCancelled, tx: Tx): Promise<void> {
    const { orderId, customerId } = event.payload;
    const saga = await this.sagas.create(tx, {
      kind: 'order_refund',
      ownerId: customerId,
      businessKey: orderId,
      deadlineSeconds: 3600,
      fields: { orderId },
    });
    if (saga) tx.afterCommit(() => this.runner.runLeased(saga));
  }
}
