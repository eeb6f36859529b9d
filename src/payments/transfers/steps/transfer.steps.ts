import { Injectable } from '@nestjs/common';
import type { SagaRow } from '../saga.entity.js';
import type { StepOutcome } from '../saga-transitions.js';
import { HeldPaymentSteps } from './held-payment.steps.js';

/** Wallet → wallet: fraud → hold → post; a post that is refused voids the hold. */
@Injectable()
export class TransferSteps {
  constructor(private readonly held: HeldPaymentSteps) {}

  run(saga: SagaRow<'transfer'>): Promise<StepOutcome> {
    switch (saga.step) {
      case 'fraud':
        return this.held.fraudCheck(saga);
      case 'hold':
        return this.held.hold(saga, 'post');
      case 'post':
        return this.held.post(saga, 'void');
      case 'void':
        return this.held.voidHold(saga);
      default:
        throw new Error(`a transfer saga has no step ${saga.step}`);
    }
  }
}
