import { Injectable } from '@nestjs/common';
import { ContextRedis } from '@app/platform';
import { CommerceConfig } from '../commerce.config.js';
import { mapCachedProduct, type ProductResponse } from './catalog.dto.js';

/**
 * Cache-aside for product detail reads (`commerce:product:<id>`), safe against the classic race
 * (a reader loads the old row, the writer commits and invalidates, the reader then caches the
 * old row): invalidation leaves a tombstone carrying the new version, and a reader may only
 * cache a version at least as new as what is there. Writers invalidate right after their commit;
 * the `commerce.product-changed` consumer does it again for other writers' paths.
 */
const SET_IF_NEWER = `
local current = redis.call('GET', KEYS[1])
if current then
  local v = tonumber(string.match(current, '"version":(%d+)'))
  if v and v > tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1`;

@Injectable()
export class ProductCache {
  constructor(
    private readonly redis: ContextRedis,
    private readonly config: CommerceConfig,
  ) {}

  /** `product:<id>`, stored as `<REDIS_PREFIX>commerce:product:<id>` (ContextRedis prefixes it). */
  private key(id: string) {
    return this.redis.key('product', id);
  }

  async get(id: string): Promise<ProductResponse | null> {
    const raw = await this.redis.client.get(this.key(id));
    if (!raw) return null;
    const value = JSON.parse(raw) as ProductResponse & { tombstone?: true };
    return value.tombstone ? null : mapCachedProduct(value);
  }

  /** Caches a product unless a newer version (or a newer tombstone) is already there. */
  async set(product: ProductResponse): Promise<void> {
    await this.redis.client.eval(
      SET_IF_NEWER,
      1,
      this.key(product.id),
      JSON.stringify(product),
      product.version,
      this.config.COMMERCE_PRODUCT_CACHE_SECONDS,
    );
  }

  /** Replaces the entry with a tombstone of `version` (or removes it when the version is unknown). */
  async invalidate(id: string, version?: number): Promise<void> {
    if (version === undefined) {
      await this.redis.client.del(this.key(id));
      return;
    }
    await this.redis.client.eval(
      SET_IF_NEWER,
      1,
      this.key(id),
      JSON.stringify({ tombstone: true, version }),
      version,
      this.config.COMMERCE_PRODUCT_CACHE_SECONDS,
    );
  }
}
