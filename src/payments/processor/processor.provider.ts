import type { Provider } from '@nestjs/common';
import { AppConfig } from '@app/platform';
import { HttpProcessor } from './http-processor.js';
import { PaymentProcessor } from './processor.port.js';
import { SandboxProcessor } from './sandbox-processor.js';

/** PAYMENTS_PROCESSOR picks the adapter behind the PaymentProcessor port. */
export const processorProvider: Provider = {
  provide: PaymentProcessor,
  inject: [AppConfig, SandboxProcessor, HttpProcessor],
  useFactory: (config: AppConfig, sandbox: SandboxProcessor, http: HttpProcessor) =>
    config.PAYMENTS_PROCESSOR === 'http' ? http : sandbox,
};
