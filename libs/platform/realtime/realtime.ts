import { Injectable } from '@nestjs/common';
import { Emitter } from '@socket.io/redis-emitter';
import { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.js';
import { InjectRedis } from '../redis/redis.module.js';
import { Presence, userRoom } from './presence.js';

/** Rooms per published message: a push to 10,000 users is 10 Redis messages, not one huge one. */
const ROOMS_PER_MESSAGE = 1_000;

/** The socket.io Redis channel prefix of this deployment (the adapter and the emitter share it). */
export const realtimeChannelKey = (config: AppConfig): string => `${config.REDIS_PREFIX}socket.io`;

/**
 * Pushes events to users' open WebSockets (`/ws`), from any process — an API instance or a
 * worker-only one: the message goes through Redis (`@socket.io/redis-emitter` on the channel
 * the instances' `@socket.io/redis-adapter` listens on), and the instance holding the socket
 * delivers it to room `user:<id>`. Users without an open socket (presence in Redis) are skipped
 * before anything is published, so offline users cost one ZCOUNT each.
 *
 * Delivery is at most once and best effort (a socket that drops misses what came meanwhile):
 * clients re-read the REST resource (feed, inbox) when they reconnect.
 */
@Injectable()
export class Realtime {
  private readonly key: string;

  constructor(
    @InjectRedis() private readonly redis: Redis,
    config: AppConfig,
    private readonly presence: Presence,
  ) {
    this.key = realtimeChannelKey(config);
  }

  /** Which of these users have at least one open socket on some instance. */
  async isConnected(userIds: readonly string[]): Promise<Set<string>> {
    return this.presence.connected(userIds);
  }

  /**
   * Emits `event` with `data` to every open socket of the connected users among `userIds`;
   * returns how many users that was (0: nothing was published). Rejects if Redis is unreachable.
   */
  async pushToUsers(userIds: readonly string[], event: string, data: object): Promise<number> {
    const online = [...(await this.presence.connected(userIds))];
    if (!online.length) return 0;
    // The emitter publishes without awaiting: collect the publishes so a failure reaches the caller.
    const published: Promise<unknown>[] = [];
    const publisher = {
      publish: (channel: string, message: Buffer) => {
        const sent = this.redis.publish(channel, message);
        published.push(sent);
        return sent;
      },
    };
    const emitter = new Emitter(publisher, { key: this.key });
    for (let i = 0; i < online.length; i += ROOMS_PER_MESSAGE) {
      emitter.to(online.slice(i, i + ROOMS_PER_MESSAGE).map(userRoom)).emit(event, data);
    }
    await Promise.all(published);
    return online.length;
  }
}
