import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Pollers, Transactions, type Poller } from '@app/platform';
import { DataSource } from 'typeorm';
import { CommerceConfig } from '../commerce.config.js';
import { Inventory } from '../inventory/inventory.js';
import { orderCancelled, orderFailed } from './order-events.js';
import type { Order } from './order.entity.js';
import { OrderTransitions } from './order-transitions.js';

/**
 * An order never stays PENDING (or PAID) for ever: past COMMERCE_ORDER_TIMEOUT_SECONDS it is
 * failed with `timeout`, its reservation is released, and `commerce.order-cancelled` makes
 * payments refund whatever it captured (now or when its charge finally completes). Swept every
 * COMMERCE_POLL_INTERVAL_MS by the platform's Poller (started with the workers, stopped first at
 * shutdown).
 */
@Injectable()
export class OrderTimeouts {
  private readonly logger = new Logger(OrderTimeouts.name);
  readonly poller: Poller;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly transactions: Transactions,
    private readonly orders: OrderTransitions,
    private readonly inventory: Inventory,
    private readonly config: CommerceConfig,
    pollers: Pollers,
  ) {
    this.poller = pollers.create({
      name: 'commerce.order-timeouts',
      intervalMs: config.COMMERCE_POLL_INTERVAL_MS,
      initialDelayMs: config.COMMERCE_POLL_INTERVAL_MS,
      run: () => this.sweep(),
    });
  }

  /**
   * Fails up to 100 stalled orders, oldest first. Returns how many it failed (the poller sweeps
   * again at once while that is > 0); one it could not fail is logged and retried next sweep.
   */
  async sweep(): Promise<number> {
    const stalled = await this.db.query<Pick<Order, 'id'>[]>(
      `SELECT id FROM commerce.orders WHERE status IN ('PENDING', 'PAID') AND created_at < now() - make_interval(secs => $1)
        ORDER BY created_at LIMIT 100`,
      [this.config.COMMERCE_ORDER_TIMEOUT_SECONDS],
    );
    let failed = 0;
    for (const { id } of stalled) {
      // One bad order must not stop the others from timing out.
      try {
        if (await this.timeOut(id)) failed++;
      } catch (err) {
        this.logger.error({ orderId: id, err }, 'could not time out an order; will retry');
      }
    }
    return failed;
  }

  private timeOut(id: string): Promise<boolean> {
    return this.transactions.run(async (tx) => {
      const moved = await this.orders.move(tx.manager, id, 'FAILED', 'saga timed out', 'timeout');
      if (!moved.ok) return false;
      const o = moved.order;
      // The stock checkout reserved goes back (a no-op if there is none).
      await this.inventory.release(tx.manager, o.id, o.lines);
      await tx.publish(
        orderFailed(o, 'timeout', moved.from === 'PAID'),
        orderCancelled(o, 'timeout'),
      );
      return true;
    });
  }
}
