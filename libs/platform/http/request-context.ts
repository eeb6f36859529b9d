import { Injectable } from '@nestjs/common';
import { ClsService, ClsStore } from 'nestjs-cls';
import { v7 as uuidv7 } from 'uuid';

/** What travels with a request or an event delivery through async calls (AsyncLocalStorage). */
export interface ContextStore extends ClsStore {
  requestId: string;
  correlationId: string;
  /** The id of the message (request or event) currently being handled. */
  causationId: string;
  userId?: string;
  tenantId?: string;
}

/**
 * Typed access to the current request/delivery context. Outside any context (a timer, a job
 * without one) it falls back to fresh ids, so events always carry a correlation id.
 */
@Injectable()
export class RequestContext {
  constructor(private readonly cls: ClsService<ContextStore>) {}

  get requestId(): string | undefined {
    return this.get('requestId');
  }

  get correlationId(): string {
    return this.get('correlationId') ?? this.get('requestId') ?? uuidv7();
  }

  get causationId(): string {
    return this.get('causationId') ?? this.get('requestId') ?? this.correlationId;
  }

  get userId(): string | undefined {
    return this.get('userId');
  }

  get tenantId(): string | undefined {
    return this.get('tenantId');
  }

  set<K extends keyof ContextStore>(key: K, value: ContextStore[K]): void {
    if (this.cls.isActive()) this.cls.set(key, value);
  }

  /** Runs `fn` in a fresh context (e.g. one event delivery or one job). */
  run<T>(values: Partial<ContextStore>, fn: () => Promise<T>): Promise<T> {
    return this.cls.run({ ifNested: 'override' }, () => {
      for (const [k, v] of Object.entries(values))
        if (v !== undefined) this.cls.set(k as keyof ContextStore, v);
      return fn();
    });
  }

  private get<K extends keyof ContextStore>(key: K): ContextStore[K] | undefined {
    return this.cls.isActive() ? this.cls.get(key) : undefined;
  }
}
