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
import { IsInt, IsUUID, Max, Min } from 'class-validator';
import { Transactions } from '@app/platform';
import { DataSource } from 'typeorm';
import { CommerceError } from '../commerce.error.js';

export class AddCartItemRequest {
  @ApiProperty({ format: 'uuid' }) @IsUUID() productId: string;
  @ApiProperty({ example: 2, minimum: 1, maximum: 100 })
  @IsInt()
  @Min(1)
  @Max(100)
  quantity: number;
}

export class SetQuantityRequest {
  @ApiProperty({ example: 3, minimum: 1, maximum: 100 })
  @IsInt()
  @Min(1)
  @Max(100)
  quantity: number;
}

export class CartLineResponse {
  @ApiProperty({ format: 'uuid' }) productId: string;
  @ApiProperty() sku: string;
  @ApiProperty() name: string;
  @ApiProperty() quantity: number;
  @ApiProperty({ description: 'Current price, minor units' }) unitPrice: number;
  @ApiProperty() currency: string;
  @ApiProperty() lineTotal: number;
}

export class CartResponse {
  @ApiProperty({ type: [CartLineResponse] }) lines: CartLineResponse[];
  @ApiProperty({ example: { EUR: 39800 }, description: 'Per currency' }) totals: Record<
    string,
    number
  >;
}

export class AddCartItem extends Command<CartResponse> {
  constructor(
    readonly customerId: string,
    readonly productId: string,
    readonly quantity: number,
    readonly mode: 'add' | 'set',
  ) {
    super();
  }
}
export class RemoveCartItem extends Command<CartResponse> {
  constructor(
    readonly customerId: string,
    readonly productId: string,
  ) {
    super();
  }
}
export class GetCart extends Query<CartResponse> {
  constructor(readonly customerId: string) {
    super();
  }
}

async function readCart(db: DataSource, customerId: string): Promise<CartResponse> {
  const rows = await db.query(
    `SELECT l.product_id, l.quantity, p.sku, p.name, p.price, p.currency
       FROM commerce.cart_lines l JOIN commerce.products p ON p.id = l.product_id
      WHERE l.customer_id = $1 ORDER BY l.added_at`,
    [customerId],
  );
  const lines = rows.map((r: any) => ({
    productId: r.product_id,
    sku: r.sku,
    name: r.name,
    quantity: r.quantity,
    unitPrice: Number(r.price),
    currency: r.currency.trim(),
    lineTotal: Number(r.price) * r.quantity,
  }));
  const totals: Record<string, number> = {};
  for (const l of lines) totals[l.currency] = (totals[l.currency] ?? 0) + l.lineTotal;
  return { lines, totals };
}

@CommandHandler(AddCartItem)
export class AddCartItemHandler implements ICommandHandler<AddCartItem> {
  constructor(
    private readonly transactions: Transactions,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  async execute({ customerId, productId, quantity, mode }: AddCartItem): Promise<CartResponse> {
    await this.transactions.run(async (tx) => {
      const [p] = await tx.manager.query(
        `SELECT 1 FROM commerce.products WHERE id = $1 AND active`,
        [productId],
      );
      if (!p) throw new CommerceError('commerce.product_not_found', `No product ${productId}.`);
      await tx.manager.query(
        `INSERT INTO commerce.cart_lines (customer_id, product_id, quantity) VALUES ($1, $2, $3)
         ON CONFLICT (customer_id, product_id) DO UPDATE SET quantity = LEAST(100, CASE WHEN $4 THEN cart_lines.quantity + EXCLUDED.quantity ELSE EXCLUDED.quantity END)`,
        [customerId, productId, quantity, mode === 'add'],
      );
    });
    return readCart(this.db, customerId);
  }
}

@CommandHandler(RemoveCartItem)
export class RemoveCartItemHandler implements ICommandHandler<RemoveCartItem> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ customerId, productId }: RemoveCartItem): Promise<CartResponse> {
    await this.db.query(
      `DELETE FROM commerce.cart_lines WHERE customer_id = $1 AND product_id = $2`,
      [customerId, productId],
    );
    return readCart(this.db, customerId);
  }
}

@QueryHandler(GetCart)
export class GetCartHandler implements IQueryHandler<GetCart> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  execute({ customerId }: GetCart): Promise<CartResponse> {
    return readCart(this.db, customerId);
  }
}
