import { Injectable } from '@nestjs/common';
import { Metrics, ObjectStorage, type ObjectInfo } from '@app/platform';
import { Counter, Gauge } from 'prom-client';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { StreamingConfig } from '../streaming.config.js';

/** An object the shield holds in memory. */
export interface ShieldedObject {
  kind: 'memory';
  key: string;
  body: Buffer;
  size: number;
  contentType: string;
  /** Strong: a hash of the bytes. */
  etag: string;
  /** Playlists are kept briefly (they may be rewritten by a re-drive); segments until evicted. */
  expiresAt: number;
}

/** An object too large for the shield: the caller streams it from storage. */
export interface PassThroughObject {
  kind: 'storage';
  info: ObjectInfo;
  /** Strong enough for immutable outputs: the key and the size. */
  etag: string;
}

export type ShieldAnswer = ShieldedObject | PassThroughObject;

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const hashOf = (data: Buffer | string) => createHash('sha256').update(data).digest('base64url');

/**
 * The origin shield (README › Streaming › Playback): a bytes-bounded, in-process LRU in front of
 * `ObjectStorage.get` for playlists and segments, so the hot files of popular videos are read
 * from storage once and then from memory. Concurrent misses for one key share one storage read
 * (singleflight). Objects over STREAMING_SHIELD_MAX_OBJECT_BYTES are never kept; the total stays
 * under STREAMING_SHIELD_MAX_BYTES, the least recently used evicted first. Its hit ratio is
 * `five_streaming_shield_requests_total{result="hit"} / sum(five_streaming_shield_requests_total)`.
 */
@Injectable()
export class OriginShield {
  /** Map iteration order is insertion order: re-inserting on a hit makes it an LRU. */
  private readonly entries = new Map<string, ShieldedObject>();
  private readonly inflight = new Map<string, Promise<ShieldAnswer | undefined>>();
  private total = 0;
  private readonly requests: Counter<'result'>;
  private readonly bytes: Gauge;
  private readonly evictions: Counter;

  constructor(
    private readonly storage: ObjectStorage,
    private readonly config: StreamingConfig,
    metrics: Metrics,
  ) {
    this.requests = new Counter({
      name: 'five_streaming_shield_requests_total',
      help: 'Origin-shield lookups of HLS files by result (hit: served from memory; miss: storage)',
      labelNames: ['result'] as const,
      registers: [metrics.registry],
    });
    this.bytes = new Gauge({
      name: 'five_streaming_shield_bytes',
      help: 'Bytes the origin shield holds in memory',
      registers: [metrics.registry],
    });
    this.evictions = new Counter({
      name: 'five_streaming_shield_evictions_total',
      help: 'Objects the origin shield dropped to stay under STREAMING_SHIELD_MAX_BYTES',
      registers: [metrics.registry],
    });
  }

  /** Bytes held now (for tests and the gauge). */
  get heldBytes(): number {
    return this.total;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** The object under `key` (undefined when storage has none); `ttlMs` bounds a kept copy. */
  async get(key: string, ttlMs = Number.POSITIVE_INFINITY): Promise<ShieldAnswer | undefined> {
    const held = this.entries.get(key);
    if (held && held.expiresAt > Date.now()) {
      this.entries.delete(key);
      this.entries.set(key, held);
      this.requests.inc({ result: 'hit' });
      return held;
    }
    if (held) this.drop(key);
    this.requests.inc({ result: 'miss' });
    const running = this.inflight.get(key);
    if (running) return running;
    const read = this.fetch(key, ttlMs).finally(() => this.inflight.delete(key));
    this.inflight.set(key, read);
    return read;
  }

  /** Forgets every object under `prefix` (a deleted or re-packaged video). */
  forget(prefix: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.drop(key);
  }

  private async fetch(key: string, ttlMs: number): Promise<ShieldAnswer | undefined> {
    const info = await this.storage.head(key);
    if (!info) return undefined;
    const max = this.config.STREAMING_SHIELD_MAX_BYTES;
    if (info.size > Math.min(this.config.STREAMING_SHIELD_MAX_OBJECT_BYTES, max)) {
      return { kind: 'storage', info, etag: `"${hashOf(`${key}\n${info.size}`).slice(0, 32)}"` };
    }
    const content = await this.storage.get(key);
    if (!content) return undefined;
    const body = await readAll(content.body);
    const entry: ShieldedObject = {
      kind: 'memory',
      key,
      body,
      size: body.length,
      contentType: content.contentType,
      etag: `"${hashOf(body).slice(0, 32)}"`,
      expiresAt: Date.now() + ttlMs,
    };
    if (body.length <= max) this.keep(entry);
    return entry;
  }

  private keep(entry: ShieldedObject): void {
    if (this.entries.has(entry.key)) this.drop(entry.key);
    this.entries.set(entry.key, entry);
    this.total += entry.size;
    for (const [key] of this.entries) {
      if (this.total <= this.config.STREAMING_SHIELD_MAX_BYTES) break;
      this.drop(key);
      this.evictions.inc();
    }
    this.bytes.set(this.total);
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.total -= entry.size;
    this.bytes.set(this.total);
  }
}
