import { Module } from '@nestjs/common';
import { GetAccountHandler, ListEntriesHandler } from './accounts/account-queries.js';
import { OpenAccountHandler } from './accounts/open-account.handler.js';
import { SystemAccounts } from './accounts/system-accounts.js';
import { FraudEngine } from './fraud/fraud-engine.js';
import { Ledger } from './ledger/ledger.js';
import { VerifyLedgerHandler } from './ledger/verify-ledger.handler.js';
import { ChargeOrder, RefundOrder } from './orders/order-payment.consumers.js';
import { PaymentsController } from './payments.controller.js';
import { HttpProcessor } from './processor/http-processor.js';
import { processorProvider } from './processor/processor.provider.js';
import { SandboxProcessor } from './processor/sandbox-processor.js';
import { SagaFaults } from './transfers/saga-faults.js';
import { SagaPoller } from './transfers/saga-poller.js';
import { SagaRunner } from './transfers/saga-runner.js';
import {
  GetTransferHandler,
  StartTopUpHandler,
  StartTransferHandler,
} from './transfers/start-transfer.handler.js';
import { RotateVaultKeysHandler } from './vault/rotate-keys.handler.js';
import { VaultCardHandler } from './vault/vault-card.handler.js';
import { Vault } from './vault/vault.js';

const controllers = [PaymentsController];
const commandHandlers = [
  OpenAccountHandler,
  VaultCardHandler,
  StartTransferHandler,
  StartTopUpHandler,
  RotateVaultKeysHandler,
];
const queryHandlers = [
  GetAccountHandler,
  ListEntriesHandler,
  GetTransferHandler,
  VerifyLedgerHandler,
];
const consumers = [ChargeOrder, RefundOrder];
const services = [
  Ledger,
  SystemAccounts,
  Vault,
  FraudEngine,
  SagaRunner,
  SagaPoller,
  SagaFaults,
  SandboxProcessor,
  HttpProcessor,
  processorProvider,
];

/**
 * Payments: double-entry ledger with holds, the orchestrated transfer saga, the card vault,
 * fraud rules, the processor gateway, and order payments for commerce. Schema `payments`.
 */
@Module({
  controllers,
  providers: [...commandHandlers, ...queryHandlers, ...consumers, ...services],
})
export class PaymentsModule {}
