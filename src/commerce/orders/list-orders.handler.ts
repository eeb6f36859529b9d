import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { ADMIN_ROLE, decodeCursor, toPage, type Principal } from '@app/platform';
import { DataSource, LessThan, type FindOptionsWhere } from 'typeorm';
import { Order } from './order.entity.js';
import { mapOrderSummary, type ListOrdersQuery, type OrderPage } from './orders.dto.js';

/** The caller's orders (an admin's: everyone's), newest first, optionally of one status. */
export class ListOrders extends Query<OrderPage> {
  constructor(
    readonly principal: Principal,
    readonly query: ListOrdersQuery,
  ) {
    super();
  }
}

/** Keyset-paginated by id: order ids are UUIDv7, so id order is placing order. */
@QueryHandler(ListOrders)
export class ListOrdersHandler implements IQueryHandler<ListOrders> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ principal, query }: ListOrders): Promise<OrderPage> {
    const after = decodeCursor<{ id: string }>(query.cursor, { id: 'uuid' });
    const where: FindOptionsWhere<Order> = {};
    if (!principal.roles.includes(ADMIN_ROLE)) where.customerId = principal.userId;
    if (query.status) where.status = query.status;
    if (after) where.id = LessThan(after.id);
    const rows = await this.db
      .getRepository(Order)
      .find({ where, order: { id: 'DESC' }, take: query.limit + 1 });
    return toPage(rows, query.limit, mapOrderSummary, (o) => ({ id: o.id }));
  }
}
