import type { Provider } from '@nestjs/common';

import { HttpProcessor } from './http-processor.js';
import { PaymentProcessor } from './processor.port.js';
import { SandboxProcessor } from './sandbox-processor.js';
import { PaymentsConfig } from '../payments.config.js';

/** PAYMENTS_PROCESSOR picks the adapter behind the PaymentProcessor port. */
export const processorProvider: Provider = {
  provide: PaymentProcessor,
  inject: [PaymentsConfig, SandboxProcessor, HttpProcessor],
  useFactory: (config: PaymentsConfig, sandbox: SandboxProcessor, http: HttpProcessor) =>
    config.PAYMENTS_PROCESSOR === 'http' ? http : sandbox,
};
