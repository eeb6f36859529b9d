import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';

export type OrderStatus = 'PENDING' | 'PAID' | 'CONFIRMED' | 'FAILED' | 'CANCELLED';

/** One line of an order as stored in `orders.lines` (jsonb), fixed at checkout. */
export interface OrderLine {
  productId: string;
  sku: string;
  name: string;
  quantity: number;
  unitPrice: number;
}

/** Allowed transitions of the order state machine (anything else is refused). */
const TRANSITIONS: Record<OrderStatus, OrderStatus[]> = {
  PENDING: ['PAID', 'FAILED'],
  PAID: ['CONFIRMED', 'FAILED'],
  CONFIRMED: ['CANCELLED'],
  FAILED: [],
  CANCELLED: [],
};

/**
 * The order aggregate: lines and total fixed at checkout (prices re-read then), a status that
 * only moves along TRANSITIONS, and a timeline entry for every move. Read through TypeORM, so
 * this class is also the row type of `commerce.orders` (raw SQL selects only same-named columns).
 */
@Entity({ schema: 'commerce', name: 'orders' })
@Index('orders_customer_idx', ['customerId', 'createdAt'])
@Index('orders_pending_idx', ['createdAt'], { where: "status IN ('PENDING', 'PAID')" })
@Index('orders_idempotency_key', ['customerId', 'idempotencyKey'], { unique: true })
export class Order {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'customer_id' }) customerId: string;
  @Column('text') status: OrderStatus;
  @Column('jsonb') lines: OrderLine[];
  @Column('bigint') total: string;
  @Column('char', { length: 3 }) currency: string;
  /** Vaulted card token (payments' token, never a card number). */
  @Column('text', { name: 'card_token' }) cardToken: string;
  @Column('text', { name: 'failure_reason', nullable: true }) failureReason: string | null;
  /** The Idempotency-Key it was placed with: the permanent guard behind the 24 h cache. */
  @Column('text', { name: 'idempotency_key' }) idempotencyKey: string;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;

  static place(
    customerId: string,
    lines: OrderLine[],
    currency: string,
    cardToken: string,
    idempotencyKey: string,
  ): Order {
    const order = new Order();
    order.id = uuidv7();
    order.customerId = customerId;
    order.status = 'PENDING';
    order.lines = lines;
    order.total = String(lines.reduce((sum, l) => sum + l.unitPrice * l.quantity, 0));
    order.currency = currency;
    order.cardToken = cardToken;
    order.failureReason = null;
    order.idempotencyKey = idempotencyKey;
    order.createdAt = new Date();
    order.updatedAt = order.createdAt;
    return order;
  }

  static canMove(from: OrderStatus, to: OrderStatus): boolean {
    return TRANSITIONS[from].includes(to);
  }
}
