import { AppError } from '@app/platform';

export type PaymentsErrorCode =
  | 'payments.account_not_found'
  | 'payments.transfer_not_found'
  | 'payments.card_not_found'
  | 'payments.card_invalid'
  | 'payments.card_expired'
  | 'payments.card_declined'
  | 'payments.currency_mismatch'
  | 'payments.same_account'
  | 'payments.reference_reused';

const STATUS: Record<PaymentsErrorCode, number> = {
  'payments.account_not_found': 404,
  'payments.transfer_not_found': 404,
  'payments.card_not_found': 404,
  'payments.card_invalid': 400,
  'payments.card_expired': 400,
  'payments.card_declined': 402,
  'payments.currency_mismatch': 422,
  'payments.same_account': 422,
  'payments.reference_reused': 422,
};

export class PaymentsError extends AppError {
  constructor(code: PaymentsErrorCode, detail: string, extensions?: Record<string, unknown>) {
    super(code, STATUS[code], detail, extensions);
  }
}
