import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { ADMIN_ROLE, type Principal } from '@app/platform';
import { DataSource } from 'typeorm';
import { CommerceError } from '../commerce.error.js';
import { OrderTimelineEntry } from './order-timeline-entry.entity.js';
import { Order } from './order.entity.js';
import { mapOrder, type OrderResponse } from './orders.dto.js';

/** An order with its timeline: its customer's, or any for an admin. */
export class GetOrder extends Query<OrderResponse> {
  constructor(
    readonly principal: Principal,
    readonly orderId: string,
  ) {
    super();
  }
}

@QueryHandler(GetOrder)
export class GetOrderHandler implements IQueryHandler<GetOrder> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ principal, orderId }: GetOrder): Promise<OrderResponse> {
    const isAdmin = principal.roles.includes(ADMIN_ROLE);
    const order = await this.db
      .getRepository(Order)
      .findOneBy(isAdmin ? { id: orderId } : { id: orderId, customerId: principal.userId });
    if (!order) throw new CommerceError('commerce.order_not_found', `No order ${orderId}.`);
    const timeline = await this.db
      .getRepository(OrderTimelineEntry)
      .find({ where: { orderId }, order: { at: 'ASC', id: 'ASC' } });
    return mapOrder(order, timeline);
  }
}
