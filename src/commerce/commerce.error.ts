import { AppError } from '@app/platform';

export type CommerceErrorCode =
  | 'commerce.product_not_found'
  | 'commerce.category_not_found'
  | 'commerce.sku_taken'
  | 'commerce.slug_taken'
  | 'commerce.order_not_found'
  | 'commerce.cart_empty'
  | 'commerce.mixed_currencies'
  | 'commerce.product_unavailable'
  | 'commerce.illegal_transition';

const STATUS: Record<CommerceErrorCode, number> = {
  'commerce.product_not_found': 404,
  'commerce.category_not_found': 404,
  'commerce.sku_taken': 409,
  'commerce.slug_taken': 409,
  'commerce.order_not_found': 404,
  'commerce.cart_empty': 422,
  'commerce.mixed_currencies': 422,
  'commerce.product_unavailable': 422,
  'commerce.illegal_transition': 409,
};

export class CommerceError extends AppError {
  constructor(code: CommerceErrorCode, detail: string, extensions?: Record<string, unknown>) {
    super(code, STATUS[code], detail, extensions);
  }
}
