import { v7 as uuidv7 } from 'uuid';

/**
 * What a saga carries from step to step, per kind. Ids of the ledger transfers it may create are
 * chosen up front, so repeating a step after a crash finds the transfer it already made instead
 * of making another; processor calls use keys derived from the saga id for the same reason.
 */

/** The hold a payment saga places and then posts or voids: who is debited, who is credited. */
interface HeldPayment {
  amount: number;
  currency: string;
  debitAccountId: string;
  creditAccountId: string;
  holdId: string;
  postId: string;
  voidId: string;
  /** Why compensation is running. */
  failure?: string;
}

/** A card charge through the processor, and its refund should the hold not be posted. */
interface CardCharge {
  cardToken: string;
  chargeKey: string;
  refundKey: string;
  chargeId?: string;
  /** Charge calls whose outcome was unknown. */
  chargeAttempts?: number;
}

/**
 * Wallet → wallet: one posted ledger transfer (`postId`), made in the transaction that starts
 * the saga (wallet-transfers.ts) — nothing outside the database to wait for, so no hold.
 */
export interface TransferSagaData {
  amount: number;
  currency: string;
  fromAccountId: string;
  toAccountId: string;
  reference: string;
  postId: string;
}

/** Card → wallet (via the clearing account). */
export interface TopUpSagaData extends HeldPayment, CardCharge {
  toAccountId: string;
  reference: string;
}

/** Card → merchant (via the clearing account), for a commerce order. */
export interface OrderPaymentSagaData extends HeldPayment, CardCharge {
  toAccountId: string;
  orderId: string;
}

/** Card → merchant (via the clearing account), for one period of a streaming subscription. */
export interface SubscriptionPaymentSagaData extends HeldPayment, CardCharge {
  toAccountId: string;
  /** Streaming's charge row (`chargeId` of `streaming.subscription-requested`). */
  subscriptionChargeId: string;
  subscriptionId: string;
  attempt: number;
}

/** Card → merchant (via the clearing account), for one final saas invoice. */
export interface InvoicePaymentSagaData extends HeldPayment, CardCharge {
  toAccountId: string;
  invoiceId: string;
  tenantId: string;
  attempt: number;
}

/**
 * Refunds a cancelled order's captured payment. It knows only its order when it starts; what it
 * refunded (amount, currency, of which payment) is recorded when it completes.
 */
export interface OrderRefundSagaData {
  orderId: string;
  reversalId: string;
  refundKey: string;
  refunded?: { paymentId: string; amount: number; currency: string };
}

export interface SagaDataByKind {
  transfer: TransferSagaData;
  top_up: TopUpSagaData;
  order_payment: OrderPaymentSagaData;
  order_refund: OrderRefundSagaData;
  subscription_payment: SubscriptionPaymentSagaData;
  invoice_payment: InvoicePaymentSagaData;
}

export type SagaKind = keyof SagaDataByKind;

type Generated = 'holdId' | 'postId' | 'voidId' | 'chargeKey' | 'refundKey' | 'reversalId';
/** Steps' results, absent when a saga starts. */
type Produced = 'failure' | 'chargeId' | 'chargeAttempts' | 'refunded';

/** What the starter of a saga of kind K supplies; the ids and keys are made here. */
export type SagaFields<K extends SagaKind> = Omit<SagaDataByKind[K], Generated | Produced>;

const heldPayment = () => ({ holdId: uuidv7(), postId: uuidv7(), voidId: uuidv7() });
const cardCharge = (sagaId: string) => ({
  chargeKey: `${sagaId}:charge`,
  refundKey: `${sagaId}:refund`,
});

const GENERATED: {
  [K in SagaKind]: (sagaId: string) => Pick<SagaDataByKind[K], Generated & keyof SagaDataByKind[K]>;
} = {
  transfer: () => ({ postId: uuidv7() }),
  top_up: (sagaId) => ({ ...heldPayment(), ...cardCharge(sagaId) }),
  order_payment: (sagaId) => ({ ...heldPayment(), ...cardCharge(sagaId) }),
  order_refund: (sagaId) => ({ reversalId: uuidv7(), refundKey: `${sagaId}:refund` }),
  subscription_payment: (sagaId) => ({ ...heldPayment(), ...cardCharge(sagaId) }),
  invoice_payment: (sagaId) => ({ ...heldPayment(), ...cardCharge(sagaId) }),
};

export function newSagaData<K extends SagaKind>(
  kind: K,
  sagaId: string,
  fields: SagaFields<K>,
): SagaDataByKind[K] {
  return { ...fields, ...GENERATED[kind](sagaId) } as SagaDataByKind[K];
}
