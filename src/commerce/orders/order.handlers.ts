import {
  Command,
  CommandHandler,
  ICommandHandler,
  IQueryHandler,
  Query,
  QueryHandler,
} from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { OrderCancelled, OrderCreated } from '@app/contracts';
import { isUniqueViolation, Transactions, type Principal } from '@app/platform';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { CommerceError } from '../commerce.error.js';
import { Inventory } from '../inventory/inventory.js';
import { Order, type OrderLine } from './order.entity.js';
import { OrderTransitions } from './order-transitions.js';

export class PlaceOrderRequest {
  @ApiProperty({
    example: 'tok_V1StGXR8_Z5jdHi6B-myT',
    description: 'A card token from POST /v1/payments/cards',
  })
  @IsString()
  @Matches(/^tok_[A-Za-z0-9_-]{20,64}$/, { message: 'cardToken must be a card token' })
  cardToken: string;
}

export class OrderAccepted {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({
    enum: ['PENDING', 'PAID', 'CONFIRMED', 'FAILED', 'CANCELLED'],
    example: 'PENDING',
  })
  status: string;
}

export class OrderLineDoc {
  @ApiProperty({ format: 'uuid' }) productId: string;
  @ApiProperty() sku: string;
  @ApiProperty() name: string;
  @ApiProperty() quantity: number;
  @ApiProperty({ description: 'Minor units, as charged' }) unitPrice: number;
}

export class TimelineDoc {
  @ApiProperty({ nullable: true, type: String }) from: string | null;
  @ApiProperty() to: string;
  @ApiProperty({ nullable: true, type: String }) note: string | null;
  @ApiProperty({ format: 'date-time' }) at: string;
}

export class OrderResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) customerId: string;
  @ApiProperty({ enum: ['PENDING', 'PAID', 'CONFIRMED', 'FAILED', 'CANCELLED'] }) status: string;
  @ApiProperty({ type: [OrderLineDoc] }) lines: OrderLine[];
  @ApiProperty({ description: 'Minor units' }) total: number;
  @ApiProperty() currency: string;
  @ApiProperty({ nullable: true, type: String, example: 'out_of_stock' }) failureReason:
    string | null;
  @ApiProperty({ type: [TimelineDoc] }) timeline: TimelineDoc[];
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class PlaceOrder extends Command<OrderAccepted> {
  constructor(
    readonly customerId: string,
    readonly cardToken: string,
    readonly idempotencyKey: string,
  ) {
    super();
  }
}
export class GetOrder extends Query<OrderResponse> {
  constructor(
    readonly principal: Principal,
    readonly orderId: string,
  ) {
    super();
  }
}
export class CancelOrder extends Command<OrderAccepted> {
  constructor(
    readonly principal: Principal,
    readonly orderId: string,
  ) {
    super();
  }
}

/** Step 1 of the saga: the cart becomes a PENDING order (prices re-read now) and payments is asked to charge. */
@CommandHandler(PlaceOrder)
export class PlaceOrderHandler implements ICommandHandler<PlaceOrder> {
  constructor(
    private readonly transactions: Transactions,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  async execute({ customerId, cardToken, idempotencyKey }: PlaceOrder): Promise<OrderAccepted> {
    try {
      return await this.transactions.run(async (tx) => {
        // Serialise this customer's checkouts, then answer a retry (same key) with the order it
        // already made — even once the cart it emptied is gone.
        await tx.manager.query(
          `SELECT pg_advisory_xact_lock(hashtext('commerce.checkout:' || $1))`,
          [customerId],
        );
        const [placed] = await tx.manager.query(
          `SELECT id, status FROM commerce.orders WHERE customer_id = $1 AND idempotency_key = $2`,
          [customerId, idempotencyKey],
        );
        if (placed) return { id: placed.id, status: placed.status };
        const cart: {
          product_id: string;
          quantity: number;
          sku: string;
          name: string;
          price: string;
          currency: string;
          active: boolean;
        }[] = await tx.manager.query(
          `SELECT l.product_id, l.quantity, p.sku, p.name, p.price, p.currency, p.active
             FROM commerce.cart_lines l JOIN commerce.products p ON p.id = l.product_id
            WHERE l.customer_id = $1 ORDER BY l.added_at FOR UPDATE OF l`,
          [customerId],
        );
        if (cart.length === 0) throw new CommerceError('commerce.cart_empty', 'The cart is empty.');
        const inactive = cart.filter((l) => !l.active);
        if (inactive.length)
          throw new CommerceError(
            'commerce.product_unavailable',
            `No longer sold: ${inactive.map((l) => l.sku).join(', ')}.`,
          );
        const currencies = new Set(cart.map((l) => l.currency.trim()));
        if (currencies.size > 1)
          throw new CommerceError(
            'commerce.mixed_currencies',
            'All products of an order must be priced in one currency.',
          );
        const lines: OrderLine[] = cart.map((l) => ({
          productId: l.product_id,
          sku: l.sku,
          name: l.name,
          quantity: l.quantity,
          unitPrice: Number(l.price),
        }));
        const order = Order.place(
          customerId,
          lines,
          [...currencies][0]!,
          cardToken,
          idempotencyKey,
        );
        await tx.manager.insert(Order, order);
        await tx.manager.query(
          `INSERT INTO commerce.order_timeline (id, order_id, from_status, to_status, note) VALUES ($1, $2, NULL, 'PENDING', 'placed')`,
          [uuidv7(), order.id],
        );
        // Only the lines this order read: one added meanwhile stays in the cart.
        await tx.manager.query(
          `DELETE FROM commerce.cart_lines WHERE customer_id = $1 AND product_id = ANY($2::uuid[])`,
          [customerId, cart.map((l) => l.product_id)],
        );
        await tx.publish(
          new OrderCreated({
            orderId: order.id,
            customerId,
            amount: Number(order.total),
            currency: order.currency,
            cardToken,
          }),
        );
        return { id: order.id, status: order.status };
      });
    } catch (err) {
      if (!isUniqueViolation(err, 'orders_idempotency_key')) throw err;
      const [existing] = await this.db.query(
        `SELECT id, status FROM commerce.orders WHERE customer_id = $1 AND idempotency_key = $2`,
        [customerId, idempotencyKey],
      );
      return { id: existing.id, status: existing.status };
    }
  }
}

@QueryHandler(GetOrder)
export class GetOrderHandler implements IQueryHandler<GetOrder> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ principal, orderId }: GetOrder): Promise<OrderResponse> {
    const isAdmin = principal.roles.includes('admin');
    const [o] = await this.db.query(
      `SELECT * FROM commerce.orders WHERE id = $1 AND ($2 OR customer_id = $3)`,
      [orderId, isAdmin, principal.userId],
    );
    if (!o) throw new CommerceError('commerce.order_not_found', `No order ${orderId}.`);
    const timeline = await this.db.query(
      `SELECT from_status, to_status, note, at FROM commerce.order_timeline WHERE order_id = $1 ORDER BY at, id`,
      [orderId],
    );
    return {
      id: o.id,
      customerId: o.customer_id,
      status: o.status,
      lines: o.lines,
      total: Number(o.total),
      currency: o.currency.trim(),
      failureReason: o.failure_reason,
      timeline: timeline.map((t: any) => ({
        from: t.from_status,
        to: t.to_status,
        note: t.note,
        at: new Date(t.at).toISOString(),
      })),
      createdAt: new Date(o.created_at).toISOString(),
    };
  }
}

/** CONFIRMED → CANCELLED by its customer (or an admin): stock goes back, payments refunds. */
@CommandHandler(CancelOrder)
export class CancelOrderHandler implements ICommandHandler<CancelOrder> {
  constructor(
    private readonly transactions: Transactions,
    private readonly orders: OrderTransitions,
    private readonly inventory: Inventory,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  async execute({ principal, orderId }: CancelOrder): Promise<OrderAccepted> {
    const isAdmin = principal.roles.includes('admin');
    const [owned] = await this.db.query(
      `SELECT 1 FROM commerce.orders WHERE id = $1 AND ($2 OR customer_id = $3)`,
      [orderId, isAdmin, principal.userId],
    );
    if (!owned) throw new CommerceError('commerce.order_not_found', `No order ${orderId}.`);
    return this.transactions.run(async (tx) => {
      const moved = await this.orders.move(
        tx.manager,
        orderId,
        'CANCELLED',
        isAdmin ? 'cancelled by an admin' : 'cancelled by the customer',
      );
      if (!moved.ok) {
        if (moved.reason === 'already') return { id: orderId, status: 'CANCELLED' };
        throw new CommerceError(
          'commerce.illegal_transition',
          `A ${moved.status} order cannot be cancelled; only CONFIRMED orders can.`,
        );
      }
      const o = moved.order;
      await this.inventory.restock(tx.manager, o.id, o.lines);
      tx.afterCommit(
        () => void this.inventory.mirror(o.lines.map((l) => l.sku)).catch(() => undefined),
      );
      await tx.publish(
        new OrderCancelled({ orderId: o.id, customerId: o.customerId, reason: 'customer_request' }),
      );
      return { id: o.id, status: o.status };
    });
  }
}
