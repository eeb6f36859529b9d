import type { ExecutionContext } from '@nestjs/common';

/**
 * A value worked out once per route (controller class + handler) — what guards read from
 * route metadata, which does not change while the app runs — instead of on every request.
 * Keyed by both, as one handler can be inherited by controllers decorated differently.
 */
export class RouteMemo<T> {
  private readonly byClass = new WeakMap<object, WeakMap<object, T>>();

  get(ctx: ExecutionContext, compute: () => T): T {
    const controller = ctx.getClass();
    let routes = this.byClass.get(controller);
    if (!routes) this.byClass.set(controller, (routes = new WeakMap()));
    const handler = ctx.getHandler();
    let value = routes.get(handler);
    if (value === undefined) routes.set(handler, (value = compute()));
    return value;
  }
}
