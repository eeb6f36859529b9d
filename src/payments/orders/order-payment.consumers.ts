import { Injectable } from '@nestjs/common';
import { OrderCancelled, OrderCreated } from '@app/contracts';
import { Consumes, type IntegrationEventConsumer, type Tx } from '@app/platform';
import { v7 as uuidv7 } from 'uuid';
import { SystemAccounts } from '../accounts/system-accounts.js';
import { newRefundSagaData, newSagaData } from '../transfers/saga-data.js';
import { SagaRunner } from '../transfers/saga-runner.js';

async function startSaga(
  tx: Tx,
  runner: SagaRunner,
  row: {
    id: string;
    kind: string;
    ownerId: string;
    orderId: string;
    data: object;
    deadlineSeconds: number;
  },
) {
  // One saga per order and kind: the unique business key makes a duplicate event a no-op even
  // if it slipped past the inbox (e.g. republished by another service). It runs right after
  // commit; the poller takes over (after 5 s) only if that run never happens.
  const inserted: unknown[] = await tx.manager.query(
    `INSERT INTO payments.sagas (id, kind, owner_id, business_key, state, step, data, deadline_at, next_run_at, history)
     VALUES ($1, $2, $3, $4, 'PENDING', $5, $6, now() + make_interval(secs => $7), now() + interval '5 seconds',
             jsonb_build_array(jsonb_build_object('at', now(), 'step', $5::text, 'event', 'started')))
     ON CONFLICT (kind, business_key) DO NOTHING RETURNING id`,
    [
      row.id,
      row.kind,
      row.ownerId,
      row.orderId,
      row.kind === 'order_refund' ? 'refund' : 'fraud',
      JSON.stringify(row.data),
      row.deadlineSeconds,
    ],
  );
  if (inserted.length > 0) tx.afterCommit(() => void runner.run(row.id).catch(() => undefined));
}

/** commerce.order-created → charge the customer's card to the merchant account (via clearing). */
@Injectable()
@Consumes(OrderCreated, 'payments.charge-order')
export class ChargeOrder implements IntegrationEventConsumer<OrderCreated> {
  constructor(
    private readonly system: SystemAccounts,
    private readonly runner: SagaRunner,
  ) {}

  async consume(event: OrderCreated, tx: Tx): Promise<void> {
    const { orderId, customerId, amount, currency, cardToken } = event.payload;
    const id = uuidv7();
    const clearing = await this.system.get(tx.manager, 'clearing', currency);
    const merchant = await this.system.get(tx.manager, 'merchant', currency);
    const data = newSagaData(id, {
      amount,
      currency,
      debitAccountId: clearing,
      creditAccountId: merchant,
      toAccountId: merchant,
      cardToken,
      orderId,
    });
    await startSaga(tx, this.runner, {
      id,
      kind: 'order_payment',
      ownerId: customerId,
      orderId,
      data,
      deadlineSeconds: 600,
    });
  }
}

/** commerce.order-cancelled → refund what was captured for the order, once. */
@Injectable()
@Consumes(OrderCancelled, 'payments.refund-order')
export class RefundOrder implements IntegrationEventConsumer<OrderCancelled> {
  constructor(private readonly runner: SagaRunner) {}

  async consume(event: OrderCancelled, tx: Tx): Promise<void> {
    const { orderId, customerId } = event.payload;
    const id = uuidv7();
    const data = newRefundSagaData(id, orderId);
    await startSaga(tx, this.runner, {
      id,
      kind: 'order_refund',
      ownerId: customerId,
      orderId,
      data,
      deadlineSeconds: 3600,
    });
  }
}
