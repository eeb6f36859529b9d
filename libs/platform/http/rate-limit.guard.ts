import { Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { RouteMemo } from './route-memo.js';

/** `@SkipThrottle()`'s metadata key (`@nestjs/throttler`'s THROTTLER_SKIP, not exported). */
const THROTTLER_SKIP = 'THROTTLER:SKIP';

/** Probes and scrapes: never limited (an orchestrator must always reach them). */
const UNLIMITED_ROUTES = new Set(['/health/live', '/health/ready', '/metrics']);

/**
 * `@nestjs/throttler`'s guard, with what it recomputed on every request decided once per
 * route: a route that is never limited (the probes, `@SkipThrottle()`) returns at once instead
 * of running six reflector lookups, `skipIf` and its async plumbing (≈ 10 µs of a
 * `GET /health/live` here), and keys are the route and client as they are rather than their
 * SHA-256 (a hash per request, and the Redis keys stay readable).
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  private readonly unlimited = new RouteMemo<boolean>();

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const skip = this.unlimited.get(context, () => {
      const request = context.switchToHttp().getRequest<{ routeOptions?: { url?: string } }>();
      return (
        UNLIMITED_ROUTES.has(request.routeOptions?.url ?? '') ||
        this.reflector.getAllAndOverride<boolean>(`${THROTTLER_SKIP}default`, [
          context.getHandler(),
          context.getClass(),
        ]) === true
      );
    });
    return skip || super.canActivate(context);
  }

  protected override generateKey(context: ExecutionContext, suffix: string, name: string): string {
    return `${context.getClass().name}-${context.getHandler().name}-${name}-${suffix}`;
  }
}
