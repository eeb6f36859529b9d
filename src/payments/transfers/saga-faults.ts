import { Injectable } from '@nestjs/common';

/** Thrown by the fault hook: the runner stops as if its process had died (no cleanup). */
export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
}

/**
 * Failure injection for the saga runner — how tests kill a saga between two steps. Off unless
 * something sets `crashAfter`; it then fires once.
 */
@Injectable()
export class SagaFaults {
  crashAfter?: string;

  check(step: string): void {
    if (this.crashAfter === step) {
      this.crashAfter = undefined;
      throw new SimulatedCrash(`simulated crash after ${step}`);
    }
  }
}
