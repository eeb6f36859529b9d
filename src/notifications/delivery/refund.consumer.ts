import { Injectable } from '@nestjs/common';
import { PaymentRefunded } from '@app/contracts/payments';
import { Consumes, type IntegrationEventConsumer, type Tx } from '@app/platform';
import { money } from './money.js';
import { NotificationRouter, routed } from './router.js';

/** payments.payment-refunded → the money is on its way back (critical). */
@Injectable()
@Consumes(PaymentRefunded, 'notifications.payment-refunded')
export class NotifyRefund implements IntegrationEventConsumer<PaymentRefunded> {
  constructor(private readonly router: NotificationRouter) {}

  async consume(event: PaymentRefunded, tx: Tx): Promise<void> {
    const p = event.payload;
    await this.router.route(
      tx,
      routed(event, p.customerId, {
        priority: 'critical',
        title: `Refund for order ${p.orderId}`,
        body: `We refunded ${money(p.amount, p.currency)} for order ${p.orderId} to your card.`,
      }),
      event.metadata!.correlationId,
    );
  }
}
