import {
  Injectable,
  Logger,
  OnApplicationBootstrap,
  BeforeApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { OrderCancelled, OrderFailed } from '@app/contracts';
import { AppConfig, Transactions } from '@app/platform';
import { DataSource } from 'typeorm';
import { Inventory } from '../inventory/inventory.js';
import { OrderTransitions } from './order-transitions.js';
import { CommerceConfig } from '../commerce.config.js';

/**
 * An order never stays PENDING (or PAID) for ever: past COMMERCE_ORDER_TIMEOUT_SECONDS it is
 * failed with `timeout`, any reservation is released, and `commerce.order-cancelled` makes
 * payments refund whatever it captured (now or when its charge finally completes).
 */
@Injectable()
export class OrderTimeouts implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OrderTimeouts.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly transactions: Transactions,
    private readonly orders: OrderTransitions,
    private readonly inventory: Inventory,
    private readonly config: AppConfig,
    private readonly contextConfig: CommerceConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.WORKERS) return;
    const tick = () => {
      this.running = this.sweep()
        .catch((err) => this.logger.error({ err }, 'order timeout sweep failed'))
        .finally(() => {
          if (this.timer)
            this.timer = setTimeout(tick, this.contextConfig.COMMERCE_POLL_INTERVAL_MS);
        });
    };
    this.timer = setTimeout(tick, this.contextConfig.COMMERCE_POLL_INTERVAL_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Fails every stalled order. Returns how many. */
  async sweep(): Promise<number> {
    const stalled: { id: string }[] = await this.db.query(
      `SELECT id FROM commerce.orders WHERE status IN ('PENDING', 'PAID') AND created_at < now() - make_interval(secs => $1)
        ORDER BY created_at LIMIT 100`,
      [this.contextConfig.COMMERCE_ORDER_TIMEOUT_SECONDS],
    );
    for (const { id } of stalled) {
      // One bad order must not stop the others from timing out.
      await this.transactions
        .run(async (tx) => {
          const moved = await this.orders.move(
            tx.manager,
            id,
            'FAILED',
            'saga timed out',
            'timeout',
          );
          if (!moved.ok) return;
          const o = moved.order;
          if (moved.from === 'PAID' && (await this.inventory.release(tx.manager, o.id, o.lines))) {
            tx.afterCommit(
              () => void this.inventory.mirror(o.lines.map((l) => l.sku)).catch(() => undefined),
            );
          }
          await tx.publish(
            new OrderFailed({
              orderId: o.id,
              customerId: o.customerId,
              reason: 'timeout',
              refundPending: moved.from === 'PAID',
            }),
            new OrderCancelled({ orderId: o.id, customerId: o.customerId, reason: 'timeout' }),
          );
        })
        .catch((err) =>
          this.logger.error({ orderId: id, err }, 'could not time out an order; will retry'),
        );
    }
    return stalled.length;
  }
}
