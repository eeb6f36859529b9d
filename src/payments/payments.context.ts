import { defineContext } from '@app/platform';
import { PAYMENTS_ERRORS } from './payments.error.js';
import { FraudDecisionRecord } from './fraud/fraud-decision.entity.js';
import { LedgerAccount } from './ledger/ledger-account.entity.js';
import { LedgerEntry } from './ledger/ledger-entry.entity.js';
import { LedgerTransfer } from './ledger/ledger-transfer.entity.js';
import { PaymentsSchema1795480601529 } from './migrations/1795480601529-PaymentsSchema.js';
import { PaymentsConfig } from './payments.config.js';
import { PaymentsModule } from './payments.module.js';
import { Saga } from './transfers/saga.entity.js';
import { Card } from './vault/card.entity.js';

/** Ledger, transfer sagas, card vault, processor gateway, fraud rules. Schema `payments`. */
export const paymentsContext = defineContext({
  name: 'payments',
  description: 'Accounts, double-entry ledger, transfers, card vault, top-ups',
  config: PaymentsConfig,
  entities: [LedgerAccount, LedgerTransfer, LedgerEntry, Saga, FraudDecisionRecord, Card],
  migrations: [PaymentsSchema1795480601529],
  errors: PAYMENTS_ERRORS,
  module: PaymentsModule,
});
