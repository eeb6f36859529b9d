import { PaymentsSchema1795480601529 } from './migrations/1795480601529-PaymentsSchema.js';
import { LedgerAccount, LedgerEntry, LedgerTransfer } from './ledger/ledger.entities.js';
import { FraudDecisionRow, Saga } from './transfers/saga.entity.js';
import { Card } from './vault/card.entity.js';

/** Schema `payments`: its entities and migrations, registered in src/database.ts. */
export const paymentsEntities = [
  LedgerAccount,
  LedgerTransfer,
  LedgerEntry,
  Saga,
  FraudDecisionRow,
  Card,
];
export const paymentsMigrations = [PaymentsSchema1795480601529];
