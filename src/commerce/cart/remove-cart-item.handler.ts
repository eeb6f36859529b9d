import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CartResponse } from './cart.dto.js';
import { readCart } from './cart-view.js';

export class RemoveCartItem extends Command<CartResponse> {
  constructor(
    readonly customerId: string,
    readonly productId: string,
  ) {
    super();
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
