import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { ADMIN_ROLE, Transactions, type Principal } from '@app/platform';
import { DataSource } from 'typeorm';
import { CommerceError } from '../commerce.error.js';
import { Inventory } from '../inventory/inventory.js';
import { orderCancelled } from './order-events.js';
import { OrderTransitions } from './order-transitions.js';
import { mapOrderAccepted, type OrderAccepted } from './orders.dto.js';

export class CancelOrder extends Command<OrderAccepted> {
  constructor(
    readonly principal: Principal,
    readonly orderId: string,
  ) {
    super();
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
    const isAdmin = principal.roles.includes(ADMIN_ROLE);
    const [owned] = await this.db.query<unknown[]>(
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
      await tx.publish(orderCancelled(o, 'customer_request'));
      return mapOrderAccepted(o);
    });
  }
}
