import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { InjectRedis, RedisKeys } from '../redis/redis.module.js';

/** How long a socket counts as connected without a refresh (an instance that died stops refreshing). */
export const PRESENCE_TTL_MS = 60_000;
/** How often each instance refreshes the presence of its own sockets. */
export const PRESENCE_REFRESH_MS = 20_000;

/** The socket.io room of one user: every socket of theirs, on any instance, joins it. */
export const userRoom = (userId: string): string => `user:${userId}`;

/**
 * Who has an open socket, in Redis (Mastodon's `subscribed:` keys): one sorted set per user,
 * `platform:presence:<userId>`, of socket ids scored by when they stop counting. Connect adds,
 * disconnect removes, each instance re-scores its sockets every PRESENCE_REFRESH_MS, and a socket
 * of an instance that died expires on its own after PRESENCE_TTL_MS (the key too, with its last
 * socket). So "is anyone there?" is one ZCOUNT per user, pipelined.
 */
@Injectable()
export class Presence {
  private readonly keyOf: (userId: string) => string;

  constructor(
    @InjectRedis() private readonly redis: Redis,
    keys: RedisKeys,
  ) {
    const platform = keys.for('platform');
    this.keyOf = (userId) => platform.key('presence', userId);
  }

  /** Marks these sockets as connected for another PRESENCE_TTL_MS (connect and refresh). */
  async touch(sockets: readonly { userId: string; socketId: string }[]): Promise<void> {
    if (!sockets.length) return;
    const now = Date.now();
    const until = now + PRESENCE_TTL_MS;
    const pipeline = this.redis.pipeline();
    for (const { userId, socketId } of sockets) {
      const key = this.keyOf(userId);
      pipeline.zadd(key, until, socketId);
      pipeline.zremrangebyscore(key, '-inf', now);
      pipeline.pexpire(key, PRESENCE_TTL_MS);
    }
    await execOrThrow(pipeline);
  }

  /** Removes these sockets (disconnect, shutdown). */
  async remove(sockets: readonly { userId: string; socketId: string }[]): Promise<void> {
    if (!sockets.length) return;
    const pipeline = this.redis.pipeline();
    for (const { userId, socketId } of sockets) pipeline.zrem(this.keyOf(userId), socketId);
    await execOrThrow(pipeline);
  }

  /** The users among `userIds` with at least one socket that has not expired. */
  async connected(userIds: readonly string[]): Promise<Set<string>> {
    const unique = [...new Set(userIds)];
    if (!unique.length) return new Set();
    const now = Date.now();
    const pipeline = this.redis.pipeline();
    for (const userId of unique) pipeline.zcount(this.keyOf(userId), now, '+inf');
    const counts = await execOrThrow(pipeline);
    return new Set(unique.filter((_, i) => Number(counts[i]) > 0));
  }
}

async function execOrThrow(pipeline: ReturnType<Redis['pipeline']>): Promise<unknown[]> {
  const results = (await pipeline.exec()) ?? [];
  return results.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}
