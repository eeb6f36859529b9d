import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CartResponse } from './cart.dto.js';
import { readCart } from './cart-view.js';

export class GetCart extends Query<CartResponse> {
  constructor(readonly customerId: string) {
    super();
  }
}

@QueryHandler(GetCart)
export class GetCartHandler implements IQueryHandler<GetCart> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  execute({ customerId }: GetCart): Promise<CartResponse> {
    return readCart(this.db, customerId);
  }
}
