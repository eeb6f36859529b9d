import { Injectable } from '@nestjs/common';

/**
 * The time subscriptions run on: periods, renewals, grace and entitlements all read it (never
 * `now()` in SQL), so a test moves it forward a month instead of sleeping. In production it is
 * the system clock.
 */
@Injectable()
export class SubscriptionClock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /** Moves this clock (never the system's) `ms` forward; tests only. */
  travel(ms: number): void {
    this.offsetMs += ms;
  }
}
