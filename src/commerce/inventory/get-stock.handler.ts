import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { StockResponse } from './inventory.dto.js';
import { readStock } from './stock-view.js';

export class GetStock extends Query<StockResponse> {
  constructor(readonly sku: string) {
    super();
  }
}

@QueryHandler(GetStock)
export class GetStockHandler implements IQueryHandler<GetStock> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  execute({ sku }: GetStock): Promise<StockResponse> {
    return readStock(this.db, sku);
  }
}
