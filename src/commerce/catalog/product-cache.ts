import { Injectable } from '@nestjs/common';
import { ProductChanged } from '@app/contracts';
import {
  AppConfig,
  Consumes,
  InjectRedis,
  RedisKeys,
  type IntegrationEventConsumer,
} from '@app/platform';
import { Redis } from 'ioredis';
import type { ProductResponse } from './catalog.dto.js';

/**
 * Cache-aside for product detail reads (`commerce:product:<id>`). Writers delete the entry right
 * after their commit, and the `commerce.product-changed` consumer deletes it again — the second
 * delete closes the race where a reader cached the old row between the commit and the first one.
 */
@Injectable()
export class ProductCache {
  constructor(
    @InjectRedis() private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly config: AppConfig,
  ) {}

  private key(id: string) {
    return this.keys.for('commerce').key('product', id);
  }

  async get(id: string): Promise<ProductResponse | null> {
    const raw = await this.redis.get(this.key(id));
    return raw ? (JSON.parse(raw) as ProductResponse) : null;
  }

  async set(product: ProductResponse): Promise<void> {
    await this.redis.set(
      this.key(product.id),
      JSON.stringify(product),
      'EX',
      this.config.COMMERCE_PRODUCT_CACHE_SECONDS,
    );
  }

  async invalidate(id: string): Promise<void> {
    await this.redis.del(this.key(id));
  }
}

@Injectable()
@Consumes(ProductChanged, 'commerce.invalidate-product-cache')
export class InvalidateProductCache implements IntegrationEventConsumer<ProductChanged> {
  constructor(private readonly cache: ProductCache) {}

  async consume(event: ProductChanged): Promise<void> {
    await this.cache.invalidate(event.payload.productId);
  }
}
