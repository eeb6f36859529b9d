import { Injectable } from '@nestjs/common';
import { ContextRedis } from '@app/platform';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { PaymentsConfig } from '../payments.config.js';
import { PaymentsError } from '../payments.error.js';

/**
 * Failed card verifications allowed per window: per customer (one account trying many cards),
 * and per card number across customers (many accounts guessing one card's CVC).
 */
export const VAULT_ATTEMPT_LIMITS = { perCustomer: 5, perCard: 3, windowSeconds: 3600 } as const;

/**
 * Per limit two keys: `<k>:failed`, a counter of failed verifications whose window starts with
 * the first; `<k>:running`, the verifications under way (a sorted set of attempt ids scored by
 * when their lease ends, so one whose process died stops counting). An attempt starts only if
 * failed + running stays under the limit for both: concurrent guesses cannot all pass the check
 * before any has failed, and a successful verification never counts.
 *   KEYS: failed, running (customer), failed, running (card). ARGV: now ms, lease end ms,
 *   attempt id, customer limit, card limit. Returns 0 (started), -1 (wait: too many running)
 *   or the ms a limit stays reached.
 */
const START = `
local now = tonumber(ARGV[1])
local wait = false
for i = 1, 2 do
  local failed, running = KEYS[2 * i - 1], KEYS[2 * i]
  redis.call('ZREMRANGEBYSCORE', running, '-inf', now)
  local n = tonumber(redis.call('GET', failed) or '0')
  local limit = tonumber(ARGV[3 + i])
  if n >= limit then return math.max(redis.call('PTTL', failed), 1) end
  if n + redis.call('ZCARD', running) >= limit then wait = true end
end
if wait then return -1 end
for i = 1, 2 do
  redis.call('ZADD', KEYS[2 * i], ARGV[2], ARGV[3])
  redis.call('PEXPIREAT', KEYS[2 * i], ARGV[2])
end
return 0`;

/** Ends an attempt; ARGV[2] = 1 when the card failed verification (it counts), ARGV[3] window ms. */
const FINISH = `
for i = 1, 2 do
  redis.call('ZREM', KEYS[2 * i], ARGV[1])
  if ARGV[2] == '1' and redis.call('INCR', KEYS[2 * i - 1]) == 1 then
    redis.call('PEXPIRE', KEYS[2 * i - 1], ARGV[3])
  end
end
return 0`;

/**
 * The card-testing brake on vaulting: a verification is the one call that tells whether a card
 * number and its CVC go together, so failed ones are limited. Kept in Redis (lost with it, like
 * the fraud windows); keys hold the card's HMAC fingerprint, never the number.
 */
@Injectable()
export class VaultAttempts {
  /** How long a verification may take (the processor's timeout, and a margin). */
  private readonly leaseMs: number;

  constructor(
    private readonly redis: ContextRedis,
    config: PaymentsConfig,
  ) {
    this.leaseMs = config.PAYMENTS_PROCESSOR_TIMEOUT_MS + 5000;
  }

  /**
   * Runs `verify` unless the customer or the card has used its failed attempts up (then 429
   * `payments.too_many_card_attempts`, with `retryAfter` seconds); while the attempts under way
   * could use them up, waits for those to finish. Only an answer that is not `ok` (the card
   * failed verification) counts; a success or a processor error does not.
   */
  async attempt<T extends { ok: boolean }>(
    customerId: string,
    fingerprint: string,
    verify: () => Promise<T>,
  ): Promise<T> {
    const keys = [
      this.redis.key('vault', 'customer', customerId, 'failed'),
      this.redis.key('vault', 'customer', customerId, 'running'),
      this.redis.key('vault', 'card', fingerprint, 'failed'),
      this.redis.key('vault', 'card', fingerprint, 'running'),
    ];
    const id = randomUUID();
    const giveUpAt = Date.now() + this.leaseMs;
    for (;;) {
      const now = Date.now();
      const started = (await this.redis.client.eval(
        START,
        keys.length,
        ...keys,
        now,
        now + this.leaseMs,
        id,
        VAULT_ATTEMPT_LIMITS.perCustomer,
        VAULT_ATTEMPT_LIMITS.perCard,
      )) as number;
      if (started === 0) break;
      if (started > 0 || now > giveUpAt) throw tooMany(started > 0 ? started : 1000);
      await sleep(20 + Math.random() * 30);
    }
    let failed = false;
    try {
      const result = await verify();
      failed = !result.ok;
      return result;
    } finally {
      await this.redis.client.eval(
        FINISH,
        keys.length,
        ...keys,
        id,
        failed ? 1 : 0,
        VAULT_ATTEMPT_LIMITS.windowSeconds * 1000,
      );
    }
  }
}

function tooMany(ms: number): PaymentsError {
  const retryAfter = Math.ceil(ms / 1000);
  return new PaymentsError(
    'payments.too_many_card_attempts',
    `Too many failed card verifications; try again in ${retryAfter} s.`,
    { retryAfter },
  );
}
