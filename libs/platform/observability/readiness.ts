import { Injectable } from '@nestjs/common';

/** What one readiness check answers: up or down, with details `/health/ready` shows. */
export interface ReadinessResult {
  up: boolean;
  details: Record<string, string | number | boolean>;
}

/**
 * The readiness checks a context adds to `/health/ready` beside PostgreSQL and Redis (the
 * streaming context's encoder, say). A context registers at module init; the controller runs
 * them all on every probe, so a check must be cheap (report what was found at boot, or a ping).
 */
@Injectable()
export class ReadinessChecks {
  private readonly checks = new Map<string, () => Promise<ReadinessResult> | ReadinessResult>();

  register(name: string, check: () => Promise<ReadinessResult> | ReadinessResult): void {
    if (this.checks.has(name)) throw new Error(`Readiness check "${name}" is registered twice`);
    this.checks.set(name, check);
  }

  entries(): [string, () => Promise<ReadinessResult> | ReadinessResult][] {
    return [...this.checks];
  }
}
