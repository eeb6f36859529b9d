/**
 * A Map that holds at most `max` entries: adding one more forgets the oldest (insertion order).
 * For a process's caches of facts it can always read again — tenants, checked tokens, rate-limit
 * leases — so memory stays bounded whatever the data or the traffic.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (this.size >= this.max && !this.has(key)) {
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return super.set(key, value);
  }
}
