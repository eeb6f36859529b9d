import {
  applyDecorators,
  CanActivate,
  ExecutionContext,
  Injectable,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ContextRedis } from '@app/platform';
import type { FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { normalizeEmail } from '../accounts/user.entity.js';
import { IdentityConfig } from '../identity.config.js';
import { IdentityError } from '../identity.error.js';

export type AuthRoute = 'register' | 'login' | 'refresh';

interface Window {
  key: string;
  limit: number;
  ms: number;
}

/**
 * Fixed-window attempt counters in identity's Redis key space, shared by every instance: per
 * client IP on each authentication route, and per email on login. A login counts against its
 * email when it starts, so concurrent guesses cannot slip past the limit, and a success clears
 * the count. The key is the email's hash whether or not an account has it: the throttle says
 * nothing about which emails exist.
 */
@Injectable()
export class AuthThrottle {
  constructor(
    private readonly redis: ContextRedis,
    private readonly config: IdentityConfig,
  ) {}

  /** Counts one attempt; the seconds to wait if it is over a limit, else undefined. */
  async attempt(route: AuthRoute, ip: string, email?: string): Promise<number | undefined> {
    const c = this.config;
    const windows: Window[] = [
      {
        key: this.redis.key('attempts', route, 'ip', ip),
        limit: c.IDENTITY_AUTH_PER_IP,
        ms: c.IDENTITY_AUTH_IP_WINDOW_SECONDS * 1000,
      },
    ];
    if (email !== undefined)
      windows.push({
        key: this.accountKey(email),
        limit: c.IDENTITY_LOGIN_MAX_FAILURES,
        ms: c.IDENTITY_LOGIN_WINDOW_SECONDS * 1000,
      });
    const multi = this.redis.client.multi();
    for (const w of windows) multi.set(w.key, 0, 'PX', w.ms, 'NX').incr(w.key).pttl(w.key);
    // A Redis failure propagates: the request is refused (fail closed), never let through.
    const replies = (await multi.exec()) ?? [];
    const failed = replies.find(([err]) => err);
    if (failed) throw failed[0];
    let wait = 0;
    windows.forEach((w, i) => {
      if (Number(replies[i * 3 + 1]![1]) > w.limit)
        wait = Math.max(wait, Math.ceil(Math.max(Number(replies[i * 3 + 2]![1]), 1) / 1000));
    });
    return wait > 0 ? wait : undefined;
  }

  async loginSucceeded(email: string): Promise<void> {
    await this.redis.client.del(this.accountKey(email));
  }

  private accountKey(email: string): string {
    // Hashed, so identity's key space holds no email addresses.
    const digest = createHash('sha256').update(normalizeEmail(email)).digest('base64url');
    return this.redis.key('attempts', 'login', 'account', digest);
  }
}

const AUTH_ROUTE = 'identity:auth-route';

/** Answers 429 `identity.too_many_attempts` (with `Retry-After`) over an AuthThrottle limit. */
@Injectable()
export class AuthThrottleGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly throttle: AuthThrottle,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const route = this.reflector.get<AuthRoute>(AUTH_ROUTE, ctx.getHandler());
    const http = ctx.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    // Guards run before validation: count any string, or padding could dodge the count.
    const email = (request.body as { email?: unknown } | undefined)?.email;
    const wait = await this.throttle.attempt(
      route,
      request.ip,
      route === 'login' && typeof email === 'string' ? email : undefined,
    );
    if (wait === undefined) return true;
    throw new IdentityError(
      'identity.too_many_attempts',
      `Too many attempts; try again in ${wait} seconds.`,
      { retryAfter: wait },
    );
  }
}

/** Throttles an authentication route per client IP, and login per email (README › Identity). */
export const AuthThrottled = (route: AuthRoute) =>
  applyDecorators(SetMetadata(AUTH_ROUTE, route), UseGuards(AuthThrottleGuard));
