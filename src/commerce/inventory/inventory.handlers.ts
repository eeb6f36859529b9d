import {
  Command,
  CommandHandler,
  ICommandHandler,
  IQueryHandler,
  Query,
  QueryHandler,
} from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { Transactions } from '@app/platform';
import { DataSource } from 'typeorm';
import { CommerceError } from '../commerce.error.js';
import { Inventory } from './inventory.js';

export class SetStockRequest {
  @ApiProperty({ example: 25, description: 'Units physically on hand' })
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  onHand: number;
}

export class StockResponse {
  @ApiProperty() sku: string;
  @ApiProperty() onHand: number;
  @ApiProperty({ description: 'Held for paid orders' }) reserved: number;
  @ApiProperty({ description: 'onHand − reserved' }) available: number;
}

export class SetStock extends Command<StockResponse> {
  constructor(
    readonly sku: string,
    readonly onHand: number,
    readonly actorId: string,
  ) {
    super();
  }
}
export class GetStock extends Query<StockResponse> {
  constructor(readonly sku: string) {
    super();
  }
}

async function readStock(db: DataSource, sku: string): Promise<StockResponse> {
  const [row] = await db.query(
    `SELECT sku, on_hand, reserved FROM commerce.inventory WHERE sku = $1`,
    [sku],
  );
  if (!row) throw new CommerceError('commerce.product_not_found', `No stock record for ${sku}.`);
  return {
    sku: row.sku,
    onHand: row.on_hand,
    reserved: row.reserved,
    available: row.on_hand - row.reserved,
  };
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
      const [product] = await tx.manager.query(`SELECT 1 FROM commerce.products WHERE sku = $1`, [
        sku,
      ]);
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
    await this.inventory.mirror([sku]);
    return readStock(this.db, sku);
  }
}

/** Truth from PostgreSQL; `available` is also mirrored in Redis for hot paths. */
@QueryHandler(GetStock)
export class GetStockHandler implements IQueryHandler<GetStock> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  execute({ sku }: GetStock): Promise<StockResponse> {
    return readStock(this.db, sku);
  }
}
