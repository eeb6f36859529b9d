import { Injectable } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { v7 as uuidv7 } from 'uuid';

/** What travels with a request or an event delivery through async calls (AsyncLocalStorage). */
export interface ContextStore {
  requestId: string;
  correlationId: string;
  /** The id of the message (request or event) currently being handled. */
  causationId: string;
  userId?: string;
  tenantId?: string;
}

/**
 * The one store of the process. A request enters it in a Fastify `onRequest` hook (and again
 * in `preValidation`, as body parsing runs in the socket's async context; see configureHttp);
 * an event delivery or a job through `RequestContext.run`. A plain AsyncLocalStorage rather than
 * nestjs-cls: that module mounts an Express-style middleware through middie and a no-op global
 * guard and interceptor on every route (the interceptor alone made every handler run through
 * rxjs), about a fifth of a `GET /health/live` in the P1 profile.
 */
const storage = new AsyncLocalStorage<ContextStore>();

/** The current context, if any (log mixins, hooks: where there is no injector). */
export function currentContext(): ContextStore | undefined {
  return storage.getStore();
}

/** Runs `fn` with `store` as the current context (the HTTP hooks enter a request's). */
export function enterContext<T>(store: ContextStore, fn: () => T): T {
  return storage.run(store, fn);
}

/**
 * Typed access to the current request/delivery context. Outside any context (a timer, a job
 * without one) it falls back to fresh ids, so events always carry a correlation id.
 */
@Injectable()
export class RequestContext {
  get requestId(): string | undefined {
    return storage.getStore()?.requestId;
  }

  get correlationId(): string {
    const store = storage.getStore();
    return store?.correlationId ?? store?.requestId ?? uuidv7();
  }

  get causationId(): string {
    const store = storage.getStore();
    return store?.causationId ?? store?.requestId ?? this.correlationId;
  }

  get userId(): string | undefined {
    return storage.getStore()?.userId;
  }

  get tenantId(): string | undefined {
    return storage.getStore()?.tenantId;
  }

  set<K extends keyof ContextStore>(key: K, value: ContextStore[K]): void {
    const store = storage.getStore();
    if (store) store[key] = value;
  }

  /** Runs `fn` in a fresh context (e.g. one event delivery or one job). */
  run<T>(values: Partial<ContextStore>, fn: () => Promise<T>): Promise<T> {
    const store = {} as ContextStore;
    for (const [k, v] of Object.entries(values))
      if (v !== undefined) (store as unknown as Record<string, unknown>)[k] = v;
    return storage.run(store, fn);
  }
}
