import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { StreamingConfig } from '../streaming.config.js';
import { SubscriptionClock } from './subscription-clock.js';

/**
 * Who may watch a channel's subscriber-only videos: viewers with a subscription to one of the
 * channel's plans or to a platform plan (`channel_id` null) that is
 * - `ACTIVE`, and `at` is before its `current_period_end` (a cancelled one until then too), or
 * - `PAST_DUE` (a renewal failed and is being retried), and `at` is before its `grace_until`
 *   (the period's end + STREAMING_SUBSCRIPTION_GRACE_HOURS).
 */
@Injectable()
export class Entitlements {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: SubscriptionClock,
    private readonly config: StreamingConfig,
  ) {}

  async active(
    viewerId: string,
    channelId: string,
    at: Date = this.clock.now(),
    manager?: EntityManager,
  ): Promise<boolean> {
    const rows = await (manager ?? this.db).query<unknown[]>(
      `SELECT 1 FROM streaming.subscriptions
        WHERE subscriber_id = $1 AND (channel_id = $2 OR channel_id IS NULL)
          AND ((status = 'ACTIVE' AND $3 < current_period_end)
            OR (status = 'PAST_DUE'
                AND $3 < COALESCE(grace_until, current_period_end + make_interval(hours => $4))))
        LIMIT 1`,
      [viewerId, channelId, at, this.config.STREAMING_SUBSCRIPTION_GRACE_HOURS],
    );
    return rows.length > 0;
  }
}
