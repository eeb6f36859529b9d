import { AppError, defineErrors } from '@app/platform';

/** Payments' problem codes: the error class, the `/problems` catalogue and the README table. */
export const PAYMENTS_ERRORS = defineErrors({
  'payments.account_not_found': {
    status: 404,
    meaning: 'No such account of yours.',
    action: 'List your accounts and use one of their ids.',
  },
  'payments.transfer_not_found': {
    status: 404,
    meaning: 'No such transfer of yours.',
    action: 'Check the id returned when the transfer was created.',
  },
  'payments.card_not_found': {
    status: 404,
    meaning: 'No such vaulted card of yours.',
    action: 'Vault the card (POST /v1/payments/cards) and use its token.',
  },
  'payments.card_invalid': {
    status: 400,
    meaning: 'The card number fails its checksum or the card cannot be verified.',
    action: 'Ask the person to re-enter the card.',
  },
  'payments.card_expired': {
    status: 400,
    meaning: 'The card is past its expiry month.',
    action: 'Use another card.',
  },
  'payments.too_many_card_attempts': {
    status: 429,
    meaning:
      'Too many failed card verifications in the last hour, by this customer or for this card number (card-testing protection).',
    action: 'Wait `Retry-After` seconds and check the card details with the cardholder first.',
  },
  'payments.card_declined': {
    status: 402,
    meaning: 'The card network declined the card; `reason` says why.',
    action: 'Use another card; do not retry the same one unchanged.',
  },
  'payments.currency_mismatch': {
    status: 422,
    meaning: 'The accounts (or the amount) are in different currencies.',
    action: 'Move money between accounts of one currency.',
  },
  'payments.same_account': {
    status: 422,
    meaning: 'A transfer from an account to itself.',
    action: 'Choose a different destination account.',
  },
  'payments.reference_reused': {
    status: 422,
    meaning: 'The transfer reference was already used for a different transfer.',
    action: 'Use a new reference for a new transfer.',
  },
});
export type PaymentsErrorCode = keyof typeof PAYMENTS_ERRORS;

export class PaymentsError extends AppError {
  constructor(code: PaymentsErrorCode, detail: string, extensions?: Record<string, unknown>) {
    super(code, PAYMENTS_ERRORS[code].status, detail, extensions);
  }
}
