import { Injectable } from '@nestjs/common';
import {
  OrderConfirmed,
  OrderFailed,
  PaymentRefunded,
  UserRegistered,
  type IntegrationEvent,
} from '@app/contracts';
import { Consumes, type IntegrationEventConsumer, type Tx } from '@app/platform';
import { NotificationRouter, type Routed } from './router.js';

const money = (minor: number, currency: string) => `${(minor / 100).toFixed(2)} ${currency}`;
const routed = (
  event: IntegrationEvent,
  userId: string,
  r: Pick<Routed, 'priority' | 'title' | 'body'>,
): Routed => ({
  eventId: event.metadata!.id,
  eventType: event.type,
  userId,
  ...r,
});

/** identity.user-registered → who they are (the projection), then a welcome (normal priority). */
@Injectable()
@Consumes(UserRegistered, 'notifications.welcome')
export class Welcome implements IntegrationEventConsumer<UserRegistered> {
  constructor(private readonly router: NotificationRouter) {}

  async consume(event: UserRegistered, tx: Tx): Promise<void> {
    const u = event.payload;
    await tx.manager.query(
      `INSERT INTO notifications.recipients (user_id, email, display_name) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) DO UPDATE SET email = EXCLUDED.email, display_name = EXCLUDED.display_name, updated_at = now()`,
      [u.userId, u.email, u.displayName],
    );
    await this.router.route(
      tx,
      routed(event, u.userId, {
        priority: 'normal',
        title: `Welcome, ${u.displayName}`,
        body: 'Your account is ready.',
      }),
      event.metadata!.correlationId,
    );
  }
}

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
