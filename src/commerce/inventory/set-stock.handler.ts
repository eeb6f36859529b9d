import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { Transactions } from '@app/platform';
import { DataSource } from 'typeorm';
import { CommerceError } from '../commerce.error.js';
import type { StockResponse } from './inventory.dto.js';
import { Inventory } from './inventory.js';
import { readStock } from './stock-view.js';

/** An admin count: sets the units on hand (never below what is reserved); the movement is recorded. */
export class SetStock extends Command<StockResponse> {
  constructor(
    readonly sku: string,
    readonly onHand: number,
    readonly actorId: string,
  ) {
    super();
  }
}

@CommandHandler(SetStock)
export class SetStockHandler implements ICommandHandler<SetStock> {
  constructor(
    private readonly transactions: Transactions,
    private readonly inventory: Inventory,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  async execute({ sku, onHand, actorId }: SetStock): Promise<StockResponse> {
    await this.transactions.run(async (tx) => {
      const [product] = await tx.manager.query<unknown[]>(
        `SELECT 1 FROM commerce.products WHERE sku = $1`,
        [sku],
      );
      if (!product)
        throw new CommerceError('commerce.product_not_found', `No product with SKU ${sku}.`);
      await tx.manager.query(
        `INSERT INTO commerce.inventory (sku) VALUES ($1) ON CONFLICT (sku) DO NOTHING`,
        [sku],
      );
      const result = await this.inventory.adjust(tx.manager, sku, onHand, actorId);
      if (!result.ok) {
        throw new CommerceError(
          'commerce.illegal_transition',
          `${result.reserved} units are reserved; on hand cannot go below that.`,
          {
            errors: [
              { field: 'onHand', messages: [`must be at least ${result.reserved} (reserved)`] },
            ],
          },
        );
      }
    });
    return readStock(this.db, sku);
  }
}
