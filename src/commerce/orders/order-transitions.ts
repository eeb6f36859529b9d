import { Injectable } from '@nestjs/common';
import { Metrics } from '@app/platform';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { Order, type OrderStatus } from './order.entity.js';

export type TransitionResult =
  | { ok: true; order: Order; from: OrderStatus }
  | { ok: false; reason: 'not_found' | 'already' | 'illegal'; status?: OrderStatus };

/**
 * Moves an order along its state machine under a row lock, writing the timeline entry in the
 * same transaction. Repeating a move (a duplicate event) answers `already` and changes nothing.
 */
@Injectable()
export class OrderTransitions {
  constructor(private readonly metrics: Metrics) {}

  async move(
    manager: EntityManager,
    orderId: string,
    to: OrderStatus,
    note?: string,
    failureReason?: string,
  ): Promise<TransitionResult> {
    const order = await manager.findOne(Order, {
      where: { id: orderId },
      lock: { mode: 'pessimistic_write' },
    });
    if (!order) return { ok: false, reason: 'not_found' };
    if (order.status === to) return { ok: false, reason: 'already', status: order.status };
    if (!Order.canMove(order.status, to))
      return { ok: false, reason: 'illegal', status: order.status };
    const from = order.status;
    order.status = to;
    order.updatedAt = new Date();
    if (failureReason) order.failureReason = failureReason;
    await manager.update(
      Order,
      { id: orderId },
      { status: to, updatedAt: order.updatedAt, failureReason: order.failureReason },
    );
    await manager.query(
      `INSERT INTO commerce.order_timeline (id, order_id, from_status, to_status, note) VALUES ($1, $2, $3, $4, $5)`,
      [uuidv7(), orderId, from, to, note ?? null],
    );
    if (to !== 'PAID')
      this.metrics.orders.inc({ outcome: to.toLowerCase(), reason: failureReason ?? '' });
    if (to === 'CONFIRMED')
      this.metrics.orderConfirmLatency.observe(
        (Date.now() - new Date(order.createdAt).getTime()) / 1000,
      );
    return { ok: true, order, from };
  }
}
