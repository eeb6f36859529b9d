import { AppError, defineErrors } from '@app/platform';

/** Commerce's problem codes: the error class, the `/problems` catalogue and the README table. */
export const COMMERCE_ERRORS = defineErrors({
  'commerce.product_not_found': {
    status: 404,
    meaning: 'No such product (or it was withdrawn).',
    action: 'Search the catalogue again; drop it from carts and links.',
  },
  'commerce.category_not_found': {
    status: 404,
    meaning: 'No such category.',
    action: 'List the categories and pick an existing id.',
  },
  'commerce.sku_taken': {
    status: 409,
    meaning: 'Another product already has this SKU.',
    action: 'Use a different SKU, or change the existing product.',
  },
  'commerce.slug_taken': {
    status: 409,
    meaning: 'Another category under the same parent already has this slug.',
    action: 'Use a different slug.',
  },
  'commerce.order_not_found': {
    status: 404,
    meaning: 'No such order for this customer.',
    action: 'Check the id; orders of other customers are never shown.',
  },
  'commerce.cart_empty': {
    status: 422,
    meaning: 'Checkout was asked for an empty cart.',
    action: 'Add items to the cart first.',
  },
  'commerce.mixed_currencies': {
    status: 422,
    meaning: 'The cart holds products priced in different currencies.',
    action: 'Check out one currency at a time (remove the others).',
  },
  'commerce.product_unavailable': {
    status: 422,
    meaning: 'A product in the cart was withdrawn or its price changed away.',
    action: 'Re-read the cart, remove the product and try again.',
  },
  'commerce.illegal_transition': {
    status: 409,
    meaning: 'The order is not in a state that allows this (e.g. cancelling a shipped order).',
    action: 'Re-read the order and its timeline.',
  },
});
export type CommerceErrorCode = keyof typeof COMMERCE_ERRORS;

export class CommerceError extends AppError {
  constructor(code: CommerceErrorCode, detail: string, extensions?: Record<string, unknown>) {
    super(code, COMMERCE_ERRORS[code].status, detail, extensions);
  }
}
