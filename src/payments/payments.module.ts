import { Module } from '@nestjs/common';
import { ContextRedisModule } from '@app/platform';
import { Accounts } from './accounts/accounts.js';
import { PaymentAccountsController } from './accounts/accounts.controller.js';
import { GetAccountHandler } from './accounts/get-account.handler.js';
import { ListAccountsHandler } from './accounts/list-accounts.handler.js';
import { ListEntriesHandler } from './accounts/list-entries.handler.js';
import { OpenAccountHandler } from './accounts/open-account.handler.js';
import { SystemAccounts } from './accounts/system-accounts.js';
import { FraudEngine } from './fraud/fraud-engine.js';
import { Ledger } from './ledger/ledger.js';
import { LedgerController } from './ledger/ledger.controller.js';
import { VerifyLedgerHandler } from './ledger/verify-ledger.handler.js';
import { ChargeOrder, RefundOrder } from './orders/order-payment.consumer.js';
import { HttpProcessor } from './processor/http-processor.js';
import { processorProvider } from './processor/processor.provider.js';
import { SandboxProcessor } from './processor/sandbox-processor.js';
import { ChargeInvoice } from './invoices/invoice-payment.consumer.js';
import { ChargeSubscription } from './subscriptions/subscription-payment.consumer.js';
import { GetTransferHandler } from './transfers/get-transfer.handler.js';
import { SagaFaults } from './transfers/saga-faults.js';
import { SagaPoller } from './transfers/saga-poller.js';
import { SagaRunner } from './transfers/saga-runner.js';
import { SagaTransitions } from './transfers/saga-transitions.js';
import { Sagas } from './transfers/sagas.js';
import { StartTopUpHandler } from './transfers/start-top-up.handler.js';
import { StartTransferHandler } from './transfers/start-transfer.handler.js';
import { CardPaymentSteps } from './transfers/steps/card-payment.steps.js';
import { HeldPaymentSteps } from './transfers/steps/held-payment.steps.js';
import { OrderRefundSteps } from './transfers/steps/order-refund.steps.js';
import { TransferStarter } from './transfers/transfer-starter.js';
import { WalletTransfers } from './transfers/wallet-transfers.js';
import { TransfersController } from './transfers/transfers.controller.js';
import { ListCardsHandler } from './vault/list-cards.handler.js';
import { RotateVaultKeysHandler } from './vault/rotate-vault-keys.handler.js';
import { VaultAttempts } from './vault/vault-attempts.js';
import { VaultCardHandler } from './vault/vault-card.handler.js';
import { VaultController } from './vault/vault.controller.js';
import { Vault } from './vault/vault.js';

const controllers = [
  VaultController,
  PaymentAccountsController,
  TransfersController,
  LedgerController,
];
const commandHandlers = [
  OpenAccountHandler,
  VaultCardHandler,
  StartTransferHandler,
  StartTopUpHandler,
  RotateVaultKeysHandler,
];
const queryHandlers = [
  GetAccountHandler,
  ListAccountsHandler,
  ListEntriesHandler,
  ListCardsHandler,
  GetTransferHandler,
  VerifyLedgerHandler,
];
const consumers = [ChargeOrder, RefundOrder, ChargeSubscription, ChargeInvoice];
const sagas = [
  Sagas,
  SagaRunner,
  SagaTransitions,
  HeldPaymentSteps,
  CardPaymentSteps,
  OrderRefundSteps,
  SagaPoller,
  SagaFaults,
  TransferStarter,
  WalletTransfers,
];
const services = [
  Accounts,
  Ledger,
  SystemAccounts,
  Vault,
  VaultAttempts,
  FraudEngine,
  SandboxProcessor,
  HttpProcessor,
  processorProvider,
];

/**
 * Payments: double-entry ledger with holds, the orchestrated transfer saga, the card vault,
 * fraud rules, the processor gateway, and order payments for commerce. Schema `payments`,
 * Redis keys `payments:*`.
 */
@Module({
  imports: [ContextRedisModule.forContext('payments')],
  controllers,
  providers: [...commandHandlers, ...queryHandlers, ...consumers, ...sagas, ...services],
})
export class PaymentsModule {}
