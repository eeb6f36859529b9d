import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { Transactions } from '@app/platform';
import { DataSource } from 'typeorm';
import { CommerceError } from '../commerce.error.js';
import type { CartResponse } from './cart.dto.js';
import { readCart } from './cart-view.js';

/** Adds to a line's quantity (`add`) or sets it (`set`); a line holds at most 100. */
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

@CommandHandler(AddCartItem)
export class AddCartItemHandler implements ICommandHandler<AddCartItem> {
  constructor(
    private readonly transactions: Transactions,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  async execute({ customerId, productId, quantity, mode }: AddCartItem): Promise<CartResponse> {
    await this.transactions.run(async (tx) => {
      const [p] = await tx.manager.query<unknown[]>(
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
