import { Injectable } from '@nestjs/common';
import { OrderConfirmed, OrderFailed } from '@app/contracts/commerce';
import { Consumes, type IntegrationEventConsumer, type Tx } from '@app/platform';
import { money } from './money.js';
import { NotificationRouter, routed } from './router.js';

/** commerce.order-confirmed → confirmation on every channel (critical). */
@Injectable()
@Consumes(OrderConfirmed, 'notifications.order-confirmed')
export class NotifyOrderConfirmed implements IntegrationEventConsumer<OrderConfirmed> {
  constructor(private readonly router: NotificationRouter) {}

  async consume(event: OrderConfirmed, tx: Tx): Promise<void> {
    const o = event.payload;
    const items = o.lines.map((l) => `${l.quantity} × ${l.name}`).join(', ');
    await this.router.route(
      tx,
      routed(event, o.customerId, {
        priority: 'critical',
        title: `Order ${o.orderId} confirmed`,
        body: `Thank you! Order ${o.orderId} is confirmed: ${items}. Total ${money(o.total, o.currency)}.`,
      }),
      event.metadata!.correlationId,
    );
  }
}

/** commerce.order-failed → tell the customer what happened (critical). */
@Injectable()
@Consumes(OrderFailed, 'notifications.order-failed')
export class NotifyOrderFailed implements IntegrationEventConsumer<OrderFailed> {
  constructor(private readonly router: NotificationRouter) {}

  async consume(event: OrderFailed, tx: Tx): Promise<void> {
    const o = event.payload;
    const why =
      o.reason === 'out_of_stock'
        ? 'an item ran out of stock'
        : o.reason === 'timeout'
          ? 'it could not be completed in time'
          : 'the payment did not go through';
    await this.router.route(
      tx,
      routed(event, o.customerId, {
        priority: 'critical',
        title: `Order ${o.orderId} could not be completed`,
        body: `We are sorry: order ${o.orderId} failed because ${why}.${o.refundPending ? ' Your payment is being refunded.' : ''}`,
      }),
      event.metadata!.correlationId,
    );
  }
}
